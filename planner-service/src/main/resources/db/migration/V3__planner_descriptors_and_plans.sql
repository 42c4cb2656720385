alter table release_candidate add column requested_by varchar(255) not null default '';
alter table release_candidate add column change_profile text not null default '{}';

-- Deploy descriptors, versioned: a new registration never changes an old version.
create table deploy_descriptor (
    service    varchar(200) not null,
    version    integer      not null,
    body       text         not null,
    created_by varchar(255) not null,
    created_at timestamp with time zone not null,
    primary key (service, version)
);

alter table deployment_plan add column status varchar(32) not null default 'ISSUED';
alter table deployment_plan add column reason varchar(2000);
alter table deployment_plan add column decision_id uuid;
alter table deployment_plan add column gate_warnings integer not null default 0;
alter table deployment_plan add column descriptor_version integer;
alter table deployment_plan add column plan text;
alter table deployment_plan add column checklist text;
alter table deployment_plan add column rollback_plan text;
alter table deployment_plan add column released_by varchar(255);
alter table deployment_plan alter column strategy drop not null;
alter table deployment_plan alter column version drop not null;
alter table deployment_plan alter column service drop not null;
