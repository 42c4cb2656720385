-- One delivery per (event, destination): its id is derived from both, so a redelivered event adds nothing.
drop table notification;
create table delivery (
    id               uuid primary key,
    release_id       varchar(200)  not null,
    subject_event_id uuid          not null,
    destination      varchar(100)  not null,
    kind             varchar(32)   not null,
    body             text          not null,
    summary          varchar(2000) not null,
    status           varchar(32)   not null,
    attempts         integer       not null default 0,
    next_attempt_at  timestamp with time zone not null,
    last_error       varchar(1000),
    created_at       timestamp with time zone not null,
    updated_at       timestamp with time zone not null
);
create index delivery_due on delivery (status, next_attempt_at);
