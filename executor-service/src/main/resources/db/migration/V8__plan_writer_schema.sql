-- The stored plan keeps the schema it was written with: a deployment that outlives an upgrade is read as it was written.
alter table deployment add column plan_schema text;
