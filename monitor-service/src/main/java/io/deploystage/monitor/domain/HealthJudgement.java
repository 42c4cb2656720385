package io.deploystage.monitor.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every check of a plan on one window: each against its threshold and the pre-deploy baseline of its environment and,
 * for a canary window when the stable cohort has been measured over the same period, the canary comparison of every
 * error-rate and latency check.
 */
public final class HealthJudgement {

    private HealthJudgement() {
    }

    /**
     * @param now         the window to judge
     * @param baseline    the pre-deploy baseline of the same environment, or null when none was captured
     * @param canary      all the canary cohort measured since the deploy, or null when {@code now} is not a canary window
     * @param stable      all the stable cohort measured over the same period, or null
     * @param environment when the environment's traffic is split between cohorts: all of them since the split, side by
     *                    side ({@link Window#alongside}); throughput is judged on it, as a cohort's share of the traffic is
     *                    the router's choice, not a symptom (a canary at 5% is not a 95% drop). Null when not split.
     */
    public static List<Assessment> judge(List<Check> checks, Window now, Window baseline, Window canary, Window stable, Window environment,
            double confidence) {
        List<Assessment> assessments = new ArrayList<>();
        for (Check check : checks) {
            if (check.metric() == Metric.THROUGHPUT && environment != null) {
                Assessment a = ThresholdEvaluator.assess(check, environment, baseline, confidence);
                assessments.add(new Assessment(a.check(), a.metric(), a.verdict(), a.value(), a.baseline(), a.threshold(), a.samples(),
                        "the environment's canary and stable cohorts together since the split: " + a.reason()));
            } else {
                assessments.add(ThresholdEvaluator.assess(check, now, baseline, confidence));
            }
        }
        if (canary != null && stable != null && !stable.isEmpty()) {
            for (Check check : checks) {
                if (CanaryJudge.applies(check.metric())) {
                    assessments.add(CanaryJudge.judge(check, canary, stable, confidence));
                }
            }
        }
        return assessments;
    }

    /**
     * Whether a cohort's pending window holds enough evidence to be said: the samples the most demanding check needs,
     * or samples measured over at least {@code longest} (then what is still too few is said INCONCLUSIVE). Until then
     * the window stays open and grows: a canary taking 5% of the traffic is judged on every 20 requests it served, not
     * INCONCLUSIVE on each 2 it served in a second. A breach is said at once either way.
     *
     * <p>Example: checks needing 20 and 100 samples, 60 requests measured over 20 s with {@code longest} 1 min: not yet;
     * 60 requests over 1 min: ready (INCONCLUSIVE, 60 of 100); 100 requests over 5 s: ready.
     */
    public static boolean ready(List<Check> checks, Window pending, Duration longest) {
        int needed = checks.stream().mapToInt(Check::minSamples).max().orElse(0);
        return pending.requests() >= needed || pending.length().compareTo(longest) >= 0;
    }

    public static List<Assessment> breaches(List<Assessment> assessments) {
        return assessments.stream().filter(a -> a.verdict() == Verdict.FAILING).toList();
    }
}
