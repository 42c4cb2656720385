package io.deploystage.monitor.domain;

import java.util.List;
import java.util.Locale;

/**
 * The post-deploy health check protocol as a pure function: one check, the window after the deploy and the
 * 15-minute baseline window before it. Each check fails on its absolute threshold or on its degradation against
 * the baseline; too few samples, in either window, is INCONCLUSIVE and never HEALTHY (fail closed).
 *
 * <p>Example: error rate, threshold 1%, max degradation 20%, baseline 0.5% over 10,000 requests. Now 0.7% over
 * 5,000 requests: under 1% but 40% worse than the baseline, so FAILING. With a baseline of 0 errors, any error now
 * is FAILING (Kayenta passes this case: spinnaker/kayenta#799).
 */
public final class ThresholdEvaluator {

    private ThresholdEvaluator() {
    }

    public static Assessment assess(Check check, Window now, Window baseline) {
        long samples = samples(check.metric(), now);
        if (samples < check.minSamples()) {
            return new Assessment(check.metric().name(), check.metric(), Verdict.INCONCLUSIVE, null, null, check.threshold(), samples,
                    "only " + samples + " samples in the window, " + check.minSamples() + " needed");
        }
        return switch (check.metric()) {
            case ERROR_RATE -> errorRate(check, now, baseline, samples);
            case LATENCY_P50 -> latency(check, now, baseline, samples, 50);
            case LATENCY_P95 -> latency(check, now, baseline, samples, 95);
            case LATENCY_P99 -> latency(check, now, baseline, samples, 99);
            case THROUGHPUT -> throughput(check, now, baseline, samples);
            case BUSINESS_METRIC -> business(check, now, baseline, samples);
            case NEW_LOG_ERRORS -> now.newErrorLines() > check.threshold()
                    ? new Assessment(check.metric().name(), check.metric(), Verdict.FAILING, (double) now.newErrorLines(), 0.0, check.threshold(), samples,
                            now.newErrorLines() + " new ERROR log lines since the deploy")
                    : new Assessment(check.metric().name(), check.metric(), Verdict.HEALTHY, (double) now.newErrorLines(), 0.0, check.threshold(), samples,
                            "no new ERROR log lines");
        };
    }

    /** Any FAILING check fails the window; otherwise any INCONCLUSIVE one makes it inconclusive. */
    public static Verdict overall(List<Assessment> assessments) {
        if (assessments.stream().anyMatch(a -> a.verdict() == Verdict.FAILING)) {
            return Verdict.FAILING;
        }
        if (assessments.isEmpty() || assessments.stream().anyMatch(a -> a.verdict() == Verdict.INCONCLUSIVE)) {
            return Verdict.INCONCLUSIVE;
        }
        return Verdict.HEALTHY;
    }

    private static Assessment errorRate(Check check, Window now, Window baseline, long samples) {
        double value = now.errorRatePercent();
        if (value > check.threshold()) {
            return failing(check, value, baseline == null ? null : baseline.errorRatePercent(), samples,
                    "error rate " + pct(value) + " exceeds " + pct(check.threshold()) + " (" + now.errors() + "/" + now.requests() + ")");
        }
        if (baseline == null || check.maxRelativeDegradation() == null) {
            return healthy(check, value, null, samples, "error rate " + pct(value) + " under " + pct(check.threshold()));
        }
        if (baseline.requests() < check.minSamples()) {
            return inconclusive(check, value, samples, "the baseline has only " + baseline.requests() + " requests");
        }
        double base = baseline.errorRatePercent();
        if (base == 0 && now.errors() > 0) {
            return failing(check, value, base, samples, "errors where the baseline had none: " + now.errors() + "/" + now.requests()
                    + " now, 0/" + baseline.requests() + " before");
        }
        if (base > 0 && value > base * (1 + check.maxRelativeDegradation())) {
            return failing(check, value, base, samples, "error rate " + pct(value) + " is " + pct(100 * (value / base - 1))
                    + " worse than the baseline " + pct(base) + " (allowed " + pct(100 * check.maxRelativeDegradation()) + ")");
        }
        return healthy(check, value, base, samples, "error rate " + pct(value) + " against baseline " + pct(base));
    }

    private static Assessment latency(Check check, Window now, Window baseline, long samples, double percentile) {
        double value = now.percentileMs(percentile);
        String name = "p" + (int) percentile + " latency";
        if (value > check.threshold()) {
            return failing(check, value, baseline == null ? null : baseline.percentileMs(percentile), samples,
                    name + " " + ms(value) + " exceeds " + ms(check.threshold()));
        }
        if (baseline == null || check.maxRelativeDegradation() == null) {
            return healthy(check, value, null, samples, name + " " + ms(value) + " under " + ms(check.threshold()));
        }
        if (baseline.latencies().getTotalCount() < check.minSamples()) {
            return inconclusive(check, value, samples, "the baseline has only " + baseline.latencies().getTotalCount() + " latency samples");
        }
        double base = baseline.percentileMs(percentile);
        if (value > Math.max(base, 1) * (1 + check.maxRelativeDegradation())) {
            return failing(check, value, base, samples, name + " " + ms(value) + " is " + pct(100 * (value / Math.max(base, 1) - 1))
                    + " worse than the baseline " + ms(base));
        }
        return healthy(check, value, base, samples, name + " " + ms(value) + " against baseline " + ms(base));
    }

    /** Requests per second should be normal: neither dropping nor spiking beyond the allowed band. */
    private static Assessment throughput(Check check, Window now, Window baseline, long samples) {
        double value = now.throughputPerSecond();
        if (baseline == null || baseline.requests() < check.minSamples()) {
            return inconclusive(check, value, samples, "no baseline throughput to compare with");
        }
        double base = baseline.throughputPerSecond();
        double band = check.maxRelativeDegradation() == null ? 0.2 : check.maxRelativeDegradation();
        if (value < base * (1 - band) || value > base * (1 + band)) {
            return failing(check, value, base, samples, String.format(Locale.ROOT, "throughput %.1f req/s is %s the baseline %.1f req/s by more than %s",
                    value, value < base ? "below" : "above", base, pct(100 * band)));
        }
        return healthy(check, value, base, samples, String.format(Locale.ROOT, "throughput %.1f req/s against baseline %.1f req/s", value, base));
    }

    /** A business metric may move the wrong way by at most {@code threshold} percent; its direction says which way is wrong. */
    private static Assessment business(Check check, Window now, Window baseline, long samples) {
        Double value = now.businessMetrics().get(check.businessMetric());
        Double base = baseline == null ? null : baseline.businessMetrics().get(check.businessMetric());
        if (value == null || base == null || base == 0) {
            return inconclusive(check, value, samples, check.businessMetric() + " has no value " + (value == null ? "now" : "in the baseline"));
        }
        double change = 100 * (value - base) / Math.abs(base);
        double worse = check.higherIsBetter() ? -change : change;
        if (worse > check.threshold()) {
            return failing(check, value, base, samples, check.businessMetric() + " " + (check.higherIsBetter() ? "dropped" : "rose") + " by "
                    + pct(Math.abs(change)) + " (" + num(base) + " → " + num(value) + "), more than " + pct(check.threshold()));
        }
        return healthy(check, value, base, samples, check.businessMetric() + " " + num(base) + " → " + num(value));
    }

    private static long samples(Metric metric, Window now) {
        return switch (metric) {
            case LATENCY_P50, LATENCY_P95, LATENCY_P99 -> now.latencies().getTotalCount();
            case NEW_LOG_ERRORS -> Long.MAX_VALUE;
            default -> now.requests();
        };
    }

    private static Assessment failing(Check check, Double value, Double baseline, long samples, String reason) {
        return new Assessment(check.metric().name(), check.metric(), Verdict.FAILING, value, baseline, check.threshold(), samples, reason);
    }

    private static Assessment healthy(Check check, Double value, Double baseline, long samples, String reason) {
        return new Assessment(check.metric().name(), check.metric(), Verdict.HEALTHY, value, baseline, check.threshold(), samples, reason);
    }

    private static Assessment inconclusive(Check check, Double value, long samples, String reason) {
        return new Assessment(check.metric().name(), check.metric(), Verdict.INCONCLUSIVE, value, null, check.threshold(), samples, reason);
    }

    private static String pct(double value) {
        return String.format(Locale.ROOT, "%.2f%%", value);
    }

    private static String ms(double value) {
        return String.format(Locale.ROOT, "%.0fms", value);
    }

    private static String num(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
