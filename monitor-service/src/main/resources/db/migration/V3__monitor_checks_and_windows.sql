alter table watched_deployment add column checks text not null default '[]';
alter table watched_deployment add column rollback_ordered boolean not null default false;

alter table metric_window add column deployment_id uuid;
alter table metric_window add column cohort varchar(32) not null default 'UNKNOWN';
alter table metric_window add column window_start timestamp with time zone;
alter table metric_window add column latencies text not null default '[]';
alter table metric_window add column business text not null default '{}';
alter table metric_window add column new_error_lines bigint not null default 0;
create index metric_window_release on metric_window (release_id, cohort);
