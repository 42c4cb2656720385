-- A deployment waiting for its deployment window (WAITING_FOR_WINDOW) starts production at not_before.
alter table deployment add column not_before timestamp with time zone;
-- What an operator wrote with a command: a senior approval naming a hotfix's incident lets it through a freeze.
alter table deployment_command add column comment varchar(2000);
