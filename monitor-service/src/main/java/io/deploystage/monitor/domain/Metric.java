package io.deploystage.monitor.domain;

/** What a check measures (spec, Post-Deploy Health Check Protocol). */
public enum Metric {
    ERROR_RATE, LATENCY_P50, LATENCY_P95, LATENCY_P99, THROUGHPUT, BUSINESS_METRIC, NEW_LOG_ERRORS, NEW_LOG_WARNINGS
}
