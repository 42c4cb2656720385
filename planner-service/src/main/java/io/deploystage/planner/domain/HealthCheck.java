package io.deploystage.planner.domain;

/**
 * A post-deploy check: the absolute threshold (percent, ms, req/s or count), the allowed degradation against the
 * pre-deploy baseline (fraction, null for none), the direction, and the minimum samples per window.
 */
public record HealthCheck(MetricKind metric, double threshold, Double maxRelativeDegradation, String businessMetric,
        boolean higherIsBetter, int minSamples) {
}
