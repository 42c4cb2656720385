-- Each window (all measured so far, and what is pending a verdict) is kept as one document: counts, length,
-- business rates and the compressed latency histogram.
alter table cohort_window
    drop column total_ms, drop column total_requests, drop column total_errors, drop column total_latencies,
    drop column total_business, drop column total_error_lines,
    drop column pending_ms, drop column pending_requests, drop column pending_errors, drop column pending_latencies,
    drop column pending_business, drop column pending_error_lines;
alter table cohort_window add column total text not null default '{}';
alter table cohort_window add column pending text not null default '{}';
