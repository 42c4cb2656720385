-- Traces across the Kafka hops: each outbox row keeps the trace context (W3C traceparent) its event was staged in, and
-- the relay sends it on the record; each service remembers the first trace context it saw for a release, so events
-- it stages outside a consumed record (a deployment's steps, a monitor's verdicts) join the release's one trace.
alter table outbox add column traceparent varchar(64);
alter table outbox_parked add column traceparent varchar(64);

create table release_trace (
    release_id  varchar(255) primary key,
    traceparent varchar(64)  not null,
    created_at  timestamp with time zone not null default now()
);
