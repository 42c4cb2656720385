package io.deploystage.planner.domain;

/** Thresholds that override a descriptor's defaults for one service; a null field keeps the default. */
public record ThresholdOverride(Double errorRatePercent, Double p95LatencyMs, String businessMetric, Double businessMetricDropPercent,
        Double maxRelativeDegradation, Integer minSamples) {

    public Thresholds applyTo(Thresholds defaults) {
        return new Thresholds(
                errorRatePercent != null ? errorRatePercent : defaults.errorRatePercent(),
                p95LatencyMs != null ? p95LatencyMs : defaults.p95LatencyMs(),
                businessMetric != null ? businessMetric : defaults.businessMetric(),
                businessMetricDropPercent != null ? businessMetricDropPercent : defaults.businessMetricDropPercent(),
                maxRelativeDegradation != null ? maxRelativeDegradation : defaults.maxRelativeDegradation(),
                minSamples != null ? minSamples : defaults.minSamples(), defaults.p50LatencyMs(), defaults.p99LatencyMs(), defaults.newWarnLines());
    }
}
