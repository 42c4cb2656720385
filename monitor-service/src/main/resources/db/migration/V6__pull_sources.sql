-- What the pull sources need of a watched deployment: the plan's metric queries, its version, and the environments
-- its steps have touched (a pulled window is BASELINE before, CANARY after).
alter table watched_deployment add column metric_queries text not null default '[]';
alter table watched_deployment add column version varchar(128);
alter table watched_deployment add column touched varchar(64) not null default '';
