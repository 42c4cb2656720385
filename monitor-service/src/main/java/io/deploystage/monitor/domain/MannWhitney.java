package io.deploystage.monitor.domain;

/**
 * The Mann–Whitney U test, as Kayenta's judge uses it to compare a canary with its baseline: U of the first sample,
 * the normal approximation with tie correction and continuity correction, and the one-sided p-value that the first
 * sample is stochastically greater (for latencies and error counts: worse).
 *
 * <p>Known data (SciPy's documentation): males [19, 22, 16, 29, 24] against females [20, 11, 17, 12] give U = 17 and
 * an asymptotic two-sided p of 0.11134688653314041, so a one-sided p of 0.0556734.
 */
public final class MannWhitney {

    private MannWhitney() {
    }

    /** U of {@code first}, its z score and the one-sided p-value for "first is greater". */
    public record Result(double u, double z, double pGreater) {
    }

    public static Result test(double[] first, double[] second) {
        if (first.length == 0 || second.length == 0) {
            throw new IllegalArgumentException("both samples need at least one value");
        }
        java.util.TreeMap<Double, long[]> counts = new java.util.TreeMap<>();
        for (double value : first) {
            counts.computeIfAbsent(value, v -> new long[2])[0]++;
        }
        for (double value : second) {
            counts.computeIfAbsent(value, v -> new long[2])[1]++;
        }
        return test(counts.values());
    }

    /** The same test on the latencies of two histograms, value by value (both must have the same precision). */
    public static Result test(org.HdrHistogram.Histogram first, org.HdrHistogram.Histogram second) {
        java.util.TreeMap<Long, long[]> counts = new java.util.TreeMap<>();
        for (var value : first.recordedValues()) {
            counts.computeIfAbsent(value.getValueIteratedTo(), v -> new long[2])[0] += value.getCountAtValueIteratedTo();
        }
        for (var value : second.recordedValues()) {
            counts.computeIfAbsent(value.getValueIteratedTo(), v -> new long[2])[1] += value.getCountAtValueIteratedTo();
        }
        return test(counts.values());
    }

    /** The same test on outcomes that are 0 or 1, such as failed requests: {@code failures} of {@code total} per sample. */
    public static Result testProportions(long failuresFirst, long totalFirst, long failuresSecond, long totalSecond) {
        return test(java.util.List.of(new long[] {totalFirst - failuresFirst, totalSecond - failuresSecond},
                new long[] {failuresFirst, failuresSecond}));
    }

    /**
     * The test on distinct values in ascending order, each with how often it occurs in the first and in the second
     * sample: tied values share their mean rank, which is what makes the test run on histograms in O(values).
     */
    static Result test(java.util.Collection<long[]> ascendingCounts) {
        double n1 = 0;
        double n2 = 0;
        double rankSumFirst = 0;
        double tieTerm = 0;
        double position = 0;
        for (long[] counts : ascendingCounts) {
            double ties = counts[0] + counts[1];
            if (ties == 0) {
                continue;
            }
            double rank = position + (ties + 1) / 2.0;
            rankSumFirst += counts[0] * rank;
            tieTerm += ties * ties * ties - ties;
            position += ties;
            n1 += counts[0];
            n2 += counts[1];
        }
        if (n1 == 0 || n2 == 0) {
            throw new IllegalArgumentException("both samples need at least one value");
        }
        double n = n1 + n2;
        double u = rankSumFirst - n1 * (n1 + 1) / 2.0;
        double mean = n1 * n2 / 2.0;
        double variance = n1 * n2 / 12.0 * ((n + 1) - tieTerm / (n * (n - 1)));
        if (variance <= 0) {
            return new Result(u, 0, 0.5);
        }
        double z = (u - mean - 0.5) / Math.sqrt(variance);
        return new Result(u, z, 1 - normalCdf(z));
    }

    /** Standard normal CDF through erfc (W. J. Cody's rational approximation via Numerical Recipes' erfc, |error| < 1.2e-7). */
    static double normalCdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    private static double erfc(double x) {
        double t = 1 / (1 + 0.5 * Math.abs(x));
        double y = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : 2 - y;
    }
}
