package io.deploystage.planner.domain;

/** What a post-deploy health check measures (spec, Post-Deploy Health Check Protocol). */
public enum MetricKind {
    ERROR_RATE, LATENCY_P50, LATENCY_P95, LATENCY_P99, THROUGHPUT, BUSINESS_METRIC, NEW_LOG_ERRORS, NEW_LOG_WARNINGS
}
