package io.deploystage.monitor.domain;

/**
 * Fisher's exact test, one-sided: how likely a failure share at least as high as the first sample's is, if both samples
 * had the same failure rate. Exact where the normal approximation is not: rare errors in small windows.
 *
 * <p>Example: 1 error in 100 requests after the deploy, 0 in 700 before. Of the 800 requests, the one error falls among
 * the 100 new ones with probability 100/800 = 0.125: not significant at 95%. 30 in 1,000 against 0 in 1,000: p ≈ 1e-9.
 */
public final class FisherExact {

    private static final double[] LANCZOS = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};

    private FisherExact() {
    }

    /** P(X &ge; failuresFirst) for the hypergeometric count of failures that fall in the first sample. */
    public static double pGreater(long failuresFirst, long totalFirst, long failuresSecond, long totalSecond) {
        if (failuresFirst < 0 || failuresSecond < 0 || failuresFirst > totalFirst || failuresSecond > totalSecond) {
            throw new IllegalArgumentException("failures must be between 0 and their total");
        }
        long n = totalFirst + totalSecond;
        long failures = failuresFirst + failuresSecond;
        if (failures == 0 || totalFirst == 0 || totalSecond == 0) {
            return 1;
        }
        double logAll = logChoose(n, totalFirst);
        double p = 0;
        long highest = Math.min(failures, totalFirst);
        for (long x = failuresFirst; x <= highest; x++) {
            double term = Math.exp(logChoose(failures, x) + logChoose(n - failures, totalFirst - x) - logAll);
            p += term;
            if (term < p * 1e-16 && x > failuresFirst) {
                break; // the terms only shrink past the mode
            }
        }
        return Math.min(1, p);
    }

    static double logChoose(long n, long k) {
        return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
    }

    static double logFactorial(long n) {
        return logGamma(n + 1.0);
    }

    /** ln Γ(x) by the Lanczos approximation (g = 7), accurate to about 15 digits for x &gt; 0. */
    static double logGamma(double x) {
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        double z = x - 1;
        double sum = LANCZOS[0];
        double t = z + 7.5;
        for (int i = 1; i < LANCZOS.length; i++) {
            sum += LANCZOS[i] / (z + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
    }
}
