-- The monitor keeps its window state in PostgreSQL, one row per release, environment and cohort: everything measured
-- (total_*) and what was measured since the last verdict (pending_*). Each batch of MetricSamples updates these rows,
-- its partitions' next offsets, the verdicts and the rollback in one transaction, so a restart loses nothing and
-- applies nothing twice. The raw windows are no longer kept.
drop table metric_window;

create table cohort_window (
    window_key          varchar(300) primary key,
    release_id          varchar(200) not null,
    service             varchar(255) not null,
    environment         varchar(16)  not null,
    cohort              varchar(32)  not null,
    samples             bigint       not null default 0,
    total_ms            bigint       not null default 0,
    total_requests      bigint       not null default 0,
    total_errors        bigint       not null default 0,
    total_latencies     bytea,
    total_business      text         not null default '{}',
    total_error_lines   bigint       not null default 0,
    pending_ms          bigint       not null default 0,
    pending_requests    bigint       not null default 0,
    pending_errors      bigint       not null default 0,
    pending_latencies   bytea,
    pending_business    text         not null default '{}',
    pending_error_lines bigint       not null default 0,
    pending_cause       uuid,
    last_verdict_at     timestamp with time zone,
    updated_at          timestamp with time zone not null
);
create index cohort_window_release on cohort_window (release_id);

-- The next offset to apply per partition of the topics consumed in batches.
create table consumed_offset (
    offset_key  varchar(300) primary key,
    next_offset bigint not null
);

-- Watching ends with the deployment (ROLLED_BACK, FAILED, ABORTED) or at the end of the stabilization window after DEPLOYED.
alter table watched_deployment add column strategy varchar(32);
alter table watched_deployment add column watch_until timestamp with time zone;
alter table watched_deployment add column ended boolean not null default false;
create index watched_deployment_release on watched_deployment (release_id);
