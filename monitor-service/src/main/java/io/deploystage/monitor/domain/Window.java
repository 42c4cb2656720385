package io.deploystage.monitor.domain;

import java.time.Duration;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * What was measured in one window of one cohort: requests, errors, a latency histogram (HdrHistogram, ms with
 * three significant digits), business metric values and new ERROR lines.
 */
public record Window(Duration length, long requests, long errors, Histogram latencies, Map<String, Double> businessMetrics,
        long newErrorLines) {

    public Window {
        businessMetrics = Map.copyOf(businessMetrics);
    }

    /** A histogram for latencies from 1 µs… in ms up to one hour, three significant digits. */
    public static Histogram histogram() {
        return new Histogram(3_600_000L, 3);
    }

    public static Window of(Duration length, long requests, long errors, double[] latenciesMs, Map<String, Double> business, long newErrorLines) {
        Histogram histogram = histogram();
        for (double ms : latenciesMs) {
            histogram.recordValue(Math.max(0, Math.round(ms)));
        }
        return new Window(length, requests, errors, histogram, business, newErrorLines);
    }

    /** Errors divided by requests, in percent. */
    public double errorRatePercent() {
        return requests == 0 ? 0 : 100.0 * errors / requests;
    }

    public double percentileMs(double percentile) {
        return latencies.getValueAtPercentile(percentile);
    }

    public double throughputPerSecond() {
        return requests / Math.max(1e-9, length.toMillis() / 1000.0);
    }
}
