-- Durable orchestration: a deployment's plan, where it stands, and one row per step run.
drop table deployment;

create table deployment (
    deployment_id   uuid primary key,
    release_id      varchar(200)  not null,
    service         varchar(255)  not null,
    version         varchar(255)  not null,
    strategy        varchar(32)   not null,
    plan            bytea         not null,             -- the DeploymentPlan event, Avro binary
    state           varchar(32)   not null,             -- QUEUED, RUNNING, PAUSED, ROLLING_BACK, DEPLOYED, ROLLED_BACK, FAILED, ABORTED
    phase           varchar(16)   not null,             -- FORWARD or ROLLBACK: which list of steps next_step points into
    next_step       integer       not null,
    pause_requested boolean       not null default false,
    reason          varchar(4000),                      -- why it is paused, failed, aborted or rolled back
    created_at      timestamp with time zone not null,
    updated_at      timestamp with time zone not null
);
create index deployment_active on deployment (service, state);

create table deployment_step (
    deployment_id uuid          not null references deployment (deployment_id),
    phase         varchar(16)   not null,
    step_index    integer       not null,
    step_id       varchar(200)  not null,
    environment   varchar(16)   not null,
    kind          varchar(32)   not null,
    status        varchar(24)   not null,               -- STARTED, SUCCEEDED, FAILED, SKIPPED, INTERRUPTED, AWAITING_OPERATOR
    runs          integer       not null default 1,
    started_at    timestamp with time zone,
    finished_at   timestamp with time zone,
    detail        varchar(4000),
    primary key (deployment_id, phase, step_index)
);

create table health_verdict (
    event_id      uuid primary key,
    deployment_id uuid          not null,
    check_name    varchar(200)  not null,
    verdict       varchar(16)   not null,
    reason        varchar(4000) not null,
    received_at   timestamp with time zone not null
);
create index health_verdict_deployment on health_verdict (deployment_id, received_at);

alter table deployment_command add column step_id varchar(200);
create index deployment_command_deployment on deployment_command (deployment_id, kind);
