-- After a step puts a version on an instance, its environment warms up: latency is not judged until then.
alter table watched_deployment add column warm_staging timestamp with time zone;
alter table watched_deployment add column warm_production timestamp with time zone;

-- The baseline is the configured window (15 minutes) before the deploy: kept by the minute, older minutes dropped.
alter table cohort_window add column buckets text not null default '{}';
