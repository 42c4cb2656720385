package io.deploystage.stack;

import java.util.Arrays;
import java.util.Collection;

/** Nearest-rank percentiles of measured values, for the benchmarks. */
public final class Percentiles {

    private Percentiles() {
    }

    /** The p-th percentile (nearest rank) of values sorted ascending. */
    public static long of(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1))];
    }

    public static long[] sorted(Collection<Long> values) {
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted;
    }

    /** "p50 12 ms, p99 40 ms, max 55 ms (n=200)". */
    public static String summary(Collection<Long> values, String unit) {
        long[] sorted = sorted(values);
        return String.format("p50 %d %s, p99 %d %s, max %d %s (n=%d)", of(sorted, 50), unit, of(sorted, 99), unit, sorted[sorted.length - 1], unit,
                sorted.length);
    }
}
