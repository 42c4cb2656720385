package io.deploystage.monitor.domain;

/**
 * A health check of the plan: absolute threshold (percent, ms, req/s, count or allowed drop in percent for a
 * business metric), allowed relative degradation against the baseline (fraction; null for none), direction, and
 * minimum samples per window.
 */
public record Check(Metric metric, double threshold, Double maxRelativeDegradation, String businessMetric, boolean higherIsBetter,
        int minSamples) {
}
