-- One executor instance drives a deployment at a time: it holds the deployment's lease (renewed by a heartbeat) and its
-- fencing token (raised by every takeover); a driver whose token is no longer the row's writes nothing more.
alter table deployment add column driver varchar(200);
alter table deployment add column lease_until timestamp with time zone;
alter table deployment add column lease_token bigint not null default 0;
