-- Samples are now skipped by eventId like every consumed event (processed_event), which also catches a sample
-- published twice; the per-partition offsets are no longer needed. The plan's strategy was never read.
drop table consumed_offset;
alter table watched_deployment drop column strategy;
