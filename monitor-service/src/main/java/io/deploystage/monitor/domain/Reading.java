package io.deploystage.monitor.domain;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What a pull source read of one environment: requests, failed requests, latency histogram buckets (upper bound in
 * seconds to cumulative count), new ERROR lines and business counters. A Prometheus query returns them over a window
 * already; a direct scrape returns totals since the instance started, and {@link #since} turns two scrapes into the
 * window between them.
 */
public record Reading(double requests, double errors, NavigableMap<Double, Double> buckets, double errorLines, Map<String, Double> business) {

    public Reading {
        buckets = new TreeMap<>(buckets);
        business = Map.copyOf(business);
    }

    /**
     * What happened between an earlier scrape and this one. A counter lower than before was reset (the instance
     * restarted, as a deploy does), so all of its current value is new, as Prometheus' {@code increase()} counts it.
     */
    public Reading since(Reading earlier) {
        NavigableMap<Double, Double> delta = new TreeMap<>();
        buckets.forEach((bound, count) -> delta.put(bound, increase(earlier.buckets.getOrDefault(bound, 0.0), count)));
        Map<String, Double> businessDelta = new HashMap<>();
        business.forEach((name, value) -> businessDelta.put(name, increase(earlier.business.getOrDefault(name, 0.0), value)));
        return new Reading(increase(earlier.requests, requests), increase(earlier.errors, errors), delta,
                increase(earlier.errorLines, errorLines), businessDelta);
    }

    private static double increase(double before, double now) {
        return now >= before ? now - before : now;
    }

    /**
     * The latencies the buckets stand for, in ms: each bucket's observations at its upper bound (the +Inf bucket at
     * twice the largest finite bound), so percentiles are read as Prometheus' histogram_quantile bounds them from
     * above. At most {@code cap} values, scaled down evenly beyond it.
     */
    public double[] latenciesMs(int cap) {
        double total = 0;
        double previous = 0;
        Map<Double, Double> perBucket = new TreeMap<>();
        double largestFinite = 0;
        for (Map.Entry<Double, Double> bucket : buckets.entrySet()) {
            double count = Math.max(0, bucket.getValue() - previous);
            previous = Math.max(previous, bucket.getValue());
            if (!bucket.getKey().isInfinite()) {
                largestFinite = bucket.getKey();
            }
            perBucket.put(bucket.getKey(), count);
            total += count;
        }
        if (total <= 0) {
            return new double[0];
        }
        double scale = total > cap ? cap / total : 1;
        double infinity = largestFinite * 2;
        java.util.List<Double> values = new java.util.ArrayList<>();
        for (Map.Entry<Double, Double> bucket : perBucket.entrySet()) {
            long n = scale < 1 ? (long) Math.floor(bucket.getValue() * scale) : Math.round(bucket.getValue());
            double ms = 1000 * (bucket.getKey().isInfinite() ? infinity : bucket.getKey());
            for (long i = 0; i < n; i++) {
                values.add(ms);
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
