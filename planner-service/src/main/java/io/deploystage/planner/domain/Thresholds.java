package io.deploystage.planner.domain;

/**
 * Rollback thresholds of a service: error rate in percent of requests, P95 latency in ms (and P50 and P99 when set), a
 * business metric and how far it may drop (percent), the tolerated relative degradation against the baseline
 * (fraction), and how many new WARN lines a window may have beyond the baseline's rate.
 */
public record Thresholds(double errorRatePercent, double p95LatencyMs, String businessMetric, double businessMetricDropPercent,
        double maxRelativeDegradation, int minSamples, Double p50LatencyMs, Double p99LatencyMs, long newWarnLines) {

    public Thresholds(double errorRatePercent, double p95LatencyMs, String businessMetric, double businessMetricDropPercent,
            double maxRelativeDegradation, int minSamples) {
        this(errorRatePercent, p95LatencyMs, businessMetric, businessMetricDropPercent, maxRelativeDegradation, minSamples, null, null, 0);
    }

    public static Thresholds defaults() {
        return new Thresholds(1.0, 500, null, 20, 0.2, 50);
    }
}
