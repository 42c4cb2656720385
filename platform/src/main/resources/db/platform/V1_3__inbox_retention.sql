-- Processed events and remembered trace contexts are forgotten after the retention (InboxRetention): the indexes let
-- it find the old rows in batches without reading the whole table.
create index processed_event_processed_at on processed_event (processed_at);
create index release_trace_created_at on release_trace (created_at);
