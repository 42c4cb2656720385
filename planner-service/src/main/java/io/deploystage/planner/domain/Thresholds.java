package io.deploystage.planner.domain;

/**
 * Rollback thresholds of a service: error rate in percent of requests, P95 latency in ms, a business metric and
 * how far it may drop (percent), and the tolerated relative degradation against the baseline (fraction).
 */
public record Thresholds(double errorRatePercent, double p95LatencyMs, String businessMetric, double businessMetricDropPercent,
        double maxRelativeDegradation, int minSamples) {

    public static Thresholds defaults() {
        return new Thresholds(1.0, 500, null, 20, 0.2, 50);
    }

    public Thresholds overriddenBy(Thresholds other) {
        return other == null ? this : other;
    }
}
