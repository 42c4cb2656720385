create table release (
    release_id     varchar(200) primary key,
    service        varchar(255) not null,
    version        varchar(255) not null,
    required_gates varchar(255) not null,
    requested_by   varchar(255) not null,
    last_outcome   varchar(32)
);

create table gate_result (
    event_id    uuid primary key,
    release_id  varchar(200) not null,
    stage       varchar(32)  not null,
    verdict     varchar(32)  not null,
    occurred_at timestamp with time zone not null
);
create index gate_result_release on gate_result (release_id);
