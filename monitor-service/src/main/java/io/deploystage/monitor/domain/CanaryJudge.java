package io.deploystage.monitor.domain;

/**
 * Judges a canary against the stable baseline with a Mann–Whitney U test at a configurable confidence: the canary
 * fails when it is significantly worse (greater latencies), is inconclusive below the minimum samples, else healthy.
 */
public final class CanaryJudge {

    private CanaryJudge() {
    }

    public static Assessment judge(Metric metric, double[] canary, double[] stable, double confidence, int minSamples) {
        long samples = Math.min(canary.length, stable.length);
        if (samples < minSamples) {
            return new Assessment(metric, Verdict.INCONCLUSIVE, null, null, confidence, samples,
                    "only " + samples + " samples per cohort, " + minSamples + " needed for the canary comparison");
        }
        MannWhitney.Result result = MannWhitney.test(canary, stable);
        boolean worse = result.pGreater() < 1 - confidence;
        return new Assessment(metric, worse ? Verdict.FAILING : Verdict.HEALTHY, result.u(), result.z(), confidence, samples,
                String.format(java.util.Locale.ROOT, "Mann-Whitney U=%.1f, z=%.2f, p=%.4f: the canary is %s than stable at %.0f%% confidence",
                        result.u(), result.z(), result.pGreater(), worse ? "significantly worse" : "not significantly worse", confidence * 100));
    }
}
