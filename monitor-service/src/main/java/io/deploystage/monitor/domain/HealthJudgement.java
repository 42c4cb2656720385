package io.deploystage.monitor.domain;

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
     * @param now      the window to judge
     * @param baseline the pre-deploy baseline of the same environment, or null when none was captured
     * @param canary   all the canary cohort measured since the deploy, or null when {@code now} is not a canary window
     * @param stable   all the stable cohort measured over the same period, or null
     */
    public static List<Assessment> judge(List<Check> checks, Window now, Window baseline, Window canary, Window stable, double confidence) {
        List<Assessment> assessments = new ArrayList<>();
        for (Check check : checks) {
            assessments.add(ThresholdEvaluator.assess(check, now, baseline, confidence));
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

    public static List<Assessment> breaches(List<Assessment> assessments) {
        return assessments.stream().filter(a -> a.verdict() == Verdict.FAILING).toList();
    }
}
