-- Shared by every service: the transactional outbox and the record of processed events.
create table outbox (
    seq         bigint generated always as identity,
    event_id    uuid primary key,
    topic       varchar(255) not null,
    message_key varchar(255) not null,
    event_type  varchar(255) not null,
    payload     bytea        not null,
    created_at  timestamp with time zone not null
);
create index outbox_seq on outbox (seq);

create table processed_event (
    event_id     uuid primary key,
    topic        varchar(255) not null,
    processed_at timestamp with time zone not null
);
