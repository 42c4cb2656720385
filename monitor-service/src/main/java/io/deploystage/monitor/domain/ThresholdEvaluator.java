package io.deploystage.monitor.domain;

import java.util.List;
import java.util.Locale;

/**
 * The post-deploy health check protocol as a pure function: one check, the window after the deploy and the
 * 15-minute baseline window before it. Each check fails on its absolute threshold or on its degradation against
 * the baseline; too few samples, in either window, is INCONCLUSIVE and never HEALTHY (fail closed).
 *
 * <p>Example: error rate, threshold 1%, max degradation 20%, baseline 0.5% over 10,000 requests. Now 0.7% over
 * 5,000 requests: under 1% but 40% worse than the baseline, and significantly so (Fisher's exact test at the
 * configured confidence), so FAILING. Worse but within noise is not a breach: 1 error in 100 requests against 0 in 700
 * before is HEALTHY (p = 0.125); 30 in 1,000 against 0 in 1,000 is FAILING.
 */
public final class ThresholdEvaluator {

    private ThresholdEvaluator() {
    }

    /** {@code confidence}: how sure a degradation against the baseline must be to count (0.95: p &lt; 0.05). */
    public static Assessment assess(Check check, Window now, Window baseline, double confidence) {
        long samples = samples(check.metric(), now);
        if (samples < check.minSamples()) {
            return new Assessment(check.metric().name(), check.metric(), Verdict.INCONCLUSIVE, null, null, check.threshold(), samples,
                    "only " + samples + " samples in the window, " + check.minSamples() + " needed");
        }
        return switch (check.metric()) {
            case ERROR_RATE -> errorRate(check, now, baseline, samples, confidence);
            case LATENCY_P50 -> latency(check, now, baseline, samples, 50, confidence);
            case LATENCY_P95 -> latency(check, now, baseline, samples, 95, confidence);
            case LATENCY_P99 -> latency(check, now, baseline, samples, 99, confidence);
            case THROUGHPUT -> throughput(check, now, baseline, samples);
            case BUSINESS_METRIC -> business(check, now, baseline, samples);
            case NEW_LOG_ERRORS -> logLines(check, now, baseline, "ERROR", now.newErrorLines(), baseline == null ? 0 : baseline.newErrorLines());
            case NEW_LOG_WARNINGS -> logLines(check, now, baseline, "WARN", now.newWarnLines(), baseline == null ? 0 : baseline.newWarnLines());
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

    private static Assessment errorRate(Check check, Window now, Window baseline, long samples, double confidence) {
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
        String counts = " (" + now.errors() + "/" + now.requests() + " now, " + baseline.errors() + "/" + baseline.requests() + " before)";
        boolean worse = base == 0 ? now.errors() > 0 : value > base * (1 + check.maxRelativeDegradation());
        if (!worse) {
            return healthy(check, value, base, samples, "error rate " + pct(value) + " against baseline " + pct(base) + counts);
        }
        // Worse by more than allowed: a breach only if it is not noise (rare errors in a small window).
        double p = FisherExact.pGreater(now.errors(), now.requests(), baseline.errors(), baseline.requests());
        String test = String.format(Locale.ROOT, "Fisher's exact test p=%.4f at %.0f%% confidence", p, confidence * 100);
        if (p < 1 - confidence) {
            return failing(check, value, base, samples, "error rate " + pct(value) + " is significantly worse than the baseline " + pct(base)
                    + counts + ": " + test + (base == 0 ? "" : ", allowed " + pct(100 * check.maxRelativeDegradation()) + " worse"));
        }
        return healthy(check, value, base, samples, "error rate " + pct(value) + " against baseline " + pct(base) + counts
                + ": not significantly worse, " + test);
    }

    /**
     * A percentile over its absolute threshold fails; one worse than the baseline's by more than allowed fails only if the
     * latencies as a whole are significantly slower (Mann–Whitney at the configured confidence), so that the tail of a
     * small window is not a breach by itself.
     */
    private static Assessment latency(Check check, Window now, Window baseline, long samples, double percentile, double confidence) {
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
            double p = MannWhitney.test(now.latencies(), baseline.latencies()).pGreater();
            String worse = name + " " + ms(value) + " is " + pct(100 * (value / Math.max(base, 1) - 1)) + " worse than the baseline " + ms(base)
                    + " (allowed " + pct(100 * check.maxRelativeDegradation()) + String.format(Locale.ROOT, "), Mann-Whitney p=%.4f at %.0f%% confidence",
                            p, confidence * 100);
            if (p < 1 - confidence) {
                return failing(check, value, base, samples, worse);
            }
            return healthy(check, value, base, samples, worse + ": not significantly slower");
        }
        return healthy(check, value, base, samples, name + " " + ms(value) + " against baseline " + ms(base));
    }

    /**
     * New ERROR or WARN lines: more than the threshold fails, unless the baseline logged them at the same rate (with an
     * allowed degradation: a service that always warns is not failed for warning). Without a log source (no window had
     * its lines counted) there is no evidence: INCONCLUSIVE.
     */
    private static Assessment logLines(Check check, Window now, Window baseline, String level, long lines, long baselineLines) {
        if (!now.logsCounted()) {
            return inconclusive(check, null, 0, "no log source: " + level + " lines were not counted in this window");
        }
        if (lines <= check.threshold()) {
            return healthy(check, (double) lines, null, lines, lines == 0 ? "no new " + level + " log lines" : lines + " new " + level
                    + " log lines, within " + num(check.threshold()));
        }
        if (baseline != null && baseline.logsCounted() && baselineLines > 0 && check.maxRelativeDegradation() != null) {
            double rate = lines / Math.max(1e-9, now.length().toMillis() / 60_000.0);
            double baseRate = baselineLines / Math.max(1e-9, baseline.length().toMillis() / 60_000.0);
            if (rate <= baseRate * (1 + check.maxRelativeDegradation())) {
                return healthy(check, rate, baseRate, lines, String.format(Locale.ROOT, "%d %s lines (%.1f/min) against %.1f/min before the deploy",
                        lines, level, rate, baseRate));
            }
        }
        return failing(check, (double) lines, (double) baselineLines, lines, lines + " new " + level + " log lines since the deploy, more than "
                + num(check.threshold()));
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
            // the lines a window logged are judged on the requests it served; a source that counts lines but no requests
            // gives the lines alone
            case NEW_LOG_ERRORS, NEW_LOG_WARNINGS -> now.requests() == 0 && now.logsCounted() ? Long.MAX_VALUE : now.requests();
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
