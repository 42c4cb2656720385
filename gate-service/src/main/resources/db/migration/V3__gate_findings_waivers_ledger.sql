alter table release add column submitted_at timestamp with time zone not null default now();
alter table release add column last_decision_id uuid;

alter table gate_result add column findings text not null default '[]';
alter table gate_result add column coverage double precision;

-- An approver's acceptance of one finding (the release's requester may not give one).
create table waiver (
    id          uuid primary key,
    release_id  varchar(200) not null,
    stage       varchar(32)  not null,
    finding_id  varchar(500) not null,
    accepted_by varchar(255) not null,
    rationale   varchar(2000) not null,
    expires_at  timestamp with time zone not null,
    created_at  timestamp with time zone not null
);
create index waiver_release on waiver (release_id);

-- The decision ledger: every evaluation with the inputs it saw, and whether it was announced.
create table decision_ledger (
    id          uuid primary key,
    release_id  varchar(200) not null,
    outcome     varchar(32)  not null,
    announced   boolean      not null,
    reasons     text         not null,
    inputs      text         not null,
    cause       varchar(64)  not null,
    decided_at  timestamp with time zone not null
);
create index decision_ledger_release on decision_ledger (release_id, decided_at);
