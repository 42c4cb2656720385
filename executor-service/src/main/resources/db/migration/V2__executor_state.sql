create table deployment (
    deployment_id uuid primary key,
    release_id    varchar(200) not null,
    service       varchar(255) not null,
    version       varchar(255) not null,
    status        varchar(32)  not null,
    updated_at    timestamp with time zone not null
);

create table deployment_command (
    event_id      uuid primary key,
    deployment_id varchar(255) not null,
    release_id    varchar(200) not null,
    kind          varchar(64)  not null,
    requested_by  varchar(255) not null,
    received_at   timestamp with time zone not null
);
