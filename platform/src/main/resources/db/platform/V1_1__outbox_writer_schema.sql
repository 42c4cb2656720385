-- Every outbox row keeps the schema it was written with: after an upgrade, the rows the previous version wrote are
-- read with their own schema (resolved to the current one), not misread with the new one.
alter table outbox add column writer_schema text;

-- A row that can never be published (unreadable, larger than the broker accepts) is parked here with the reason,
-- for a human, and the relay goes on with the others.
create table outbox_parked (
    event_id      uuid primary key,
    seq           bigint,
    topic         varchar(255) not null,
    message_key   varchar(255) not null,
    event_type    varchar(255) not null,
    payload       bytea        not null,
    writer_schema text,
    reason        text         not null,
    created_at    timestamp with time zone not null,
    parked_at     timestamp with time zone not null
);
