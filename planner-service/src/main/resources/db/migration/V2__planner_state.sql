create table release_candidate (
    release_id  varchar(200) primary key,
    service     varchar(255) not null,
    version     varchar(255) not null,
    commit_sha  varchar(64)  not null,
    received_at timestamp with time zone not null
);

create table deployment_plan (
    deployment_id uuid primary key,
    release_id    varchar(200) not null unique,
    service       varchar(255) not null,
    version       varchar(255) not null,
    strategy      varchar(32)  not null,
    created_at    timestamp with time zone not null
);
