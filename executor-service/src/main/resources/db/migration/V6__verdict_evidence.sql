-- A verdict says which environment, cohort and window it judged: a health step counts only its own, and only fresh.
alter table health_verdict add column environment varchar(16) not null default 'UNKNOWN';
alter table health_verdict add column cohort varchar(16) not null default 'UNKNOWN';
alter table health_verdict add column window_start timestamp with time zone;
alter table health_verdict add column window_end timestamp with time zone;
alter table health_verdict add column sample_count bigint not null default 0;
