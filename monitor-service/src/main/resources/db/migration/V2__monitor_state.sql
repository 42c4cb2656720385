create table watched_deployment (
    deployment_id uuid primary key,
    release_id    varchar(200) not null,
    service       varchar(255) not null,
    last_step     varchar(255),
    updated_at    timestamp with time zone not null
);

create table metric_window (
    event_id      uuid primary key,
    release_id    varchar(200) not null,
    service       varchar(255) not null,
    request_count bigint not null,
    error_count   bigint not null,
    window_end    timestamp with time zone not null
);
