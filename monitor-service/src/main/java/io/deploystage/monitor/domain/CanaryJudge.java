package io.deploystage.monitor.domain;

import java.util.Locale;

/**
 * Judges a canary against the stable cohort over the same period with a Mann–Whitney U test at a configurable
 * confidence, as Kayenta's judge does: latencies compared value by value from both histograms, failed requests as
 * 0/1 outcomes. A canary FAILS when it is significantly worse <em>and</em> worse by more than the check allows
 * (its relative degradation; with thousands of requests a 1 ms difference is significant but harmless). Too few
 * samples in either cohort is INCONCLUSIVE. Only error-rate and latency checks have a canary comparison.
 *
 * <p>Example: stable 0 errors in 2,000 requests, canary 30 in 2,000: z ≈ 5.5, p &lt; 0.0001, and the canary is
 * infinitely worse than stable, so FAILING.
 */
public final class CanaryJudge {

    private CanaryJudge() {
    }

    public static boolean applies(Metric metric) {
        return switch (metric) {
            case ERROR_RATE, LATENCY_P50, LATENCY_P95, LATENCY_P99 -> true;
            default -> false;
        };
    }

    public static Assessment judge(Check check, Window canary, Window stable, double confidence) {
        Metric metric = check.metric();
        if (!applies(metric)) {
            throw new IllegalArgumentException(metric + " has no canary comparison");
        }
        String name = "CANARY_" + metric.name();
        boolean errors = metric == Metric.ERROR_RATE;
        long canaryCount = errors ? canary.requests() : canary.latencies().getTotalCount();
        long stableCount = errors ? stable.requests() : stable.latencies().getTotalCount();
        long samples = Math.min(canaryCount, stableCount);
        if (samples < check.minSamples()) {
            return new Assessment(name, metric, Verdict.INCONCLUSIVE, null, null, confidence, samples,
                    "only " + samples + " samples in the smaller cohort, " + check.minSamples() + " needed for the canary comparison");
        }
        MannWhitney.Result test = errors
                ? MannWhitney.testProportions(canary.errors(), canary.requests(), stable.errors(), stable.requests())
                : MannWhitney.test(canary.latencies(), stable.latencies());
        double percentile = switch (metric) {
            case LATENCY_P50 -> 50;
            case LATENCY_P99 -> 99;
            default -> 95;
        };
        double canaryValue = errors ? canary.errorRatePercent() : canary.percentileMs(percentile);
        double stableValue = errors ? stable.errorRatePercent() : stable.percentileMs(percentile);
        double allowed = check.maxRelativeDegradation() == null ? 0 : check.maxRelativeDegradation();
        boolean significant = test.pGreater() < 1 - confidence;
        boolean material = stableValue == 0 ? canaryValue > 0 : canaryValue > stableValue * (1 + allowed);
        boolean worse = significant && material;
        String unit = errors ? "%" : "ms";
        return new Assessment(name, metric, worse ? Verdict.FAILING : Verdict.HEALTHY, canaryValue, stableValue, confidence, samples,
                String.format(Locale.ROOT, "canary %s %.2f%s against stable %.2f%s: Mann-Whitney U=%.1f, z=%.2f, p=%.4f, %s at %.0f%% confidence%s",
                        errors ? "error rate" : "p" + (int) percentile, canaryValue, unit, stableValue, unit, test.u(), test.z(), test.pGreater(),
                        significant ? "significantly worse" : "not significantly worse", confidence * 100,
                        significant && !material ? String.format(Locale.ROOT, ", within the allowed %.0f%%", allowed * 100) : ""));
    }
}
