package io.deploystage.monitor.domain;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.DataFormatException;

import org.HdrHistogram.Histogram;

/**
 * What was measured in one window of one cohort: requests, errors, a latency histogram (HdrHistogram, whole ms with
 * two significant digits, so percentiles are within 1%), business metric values (rates, such as orders per second),
 * new ERROR and WARN lines and whether they were counted at all ({@code logsCounted}: without a log source, 0 lines is
 * no evidence), and the period measured ({@code start}, {@code end}; null when empty). Windows add up: {@link #plus}
 * merges two of them, as a baseline is built from many.
 */
public record Window(Duration length, long requests, long errors, Histogram latencies, Map<String, Double> businessMetrics,
        long newErrorLines, long newWarnLines, boolean logsCounted, Instant start, Instant end) {

    public Window {
        businessMetrics = Map.copyOf(businessMetrics);
    }

    /** The same window with its log lines counted. */
    public Window withLogs(long errorLines, long warnLines) {
        return new Window(length, requests, errors, latencies, businessMetrics, errorLines, warnLines, true, start, end);
    }

    /** The same window, measured over {@code from} to {@code to}. */
    public Window over(Instant from, Instant to) {
        return new Window(length, requests, errors, latencies, businessMetrics, newErrorLines, newWarnLines, logsCounted, from, to);
    }

    /** An auto-resizing histogram of whole milliseconds, two significant digits: small for a few values, exact to 1%. */
    public static Histogram histogram() {
        return new Histogram(2);
    }

    public static Window empty() {
        return new Window(Duration.ZERO, 0, 0, histogram(), Map.of(), 0, 0, false, null, null);
    }

    public static Window of(Duration length, long requests, long errors, double[] latenciesMs, Map<String, Double> business, long newErrorLines) {
        Histogram histogram = histogram();
        for (double ms : latenciesMs) {
            histogram.recordValue(Math.max(0, Math.round(ms)));
        }
        return new Window(length, requests, errors, histogram, business, newErrorLines, 0, false, null, null);
    }

    /**
     * Both windows as one: counts and histograms add up, lengths add up, and a business metric is the average of both
     * weighted by their lengths (it is a rate).
     */
    public Window plus(Window other) {
        Histogram merged = histogram();
        merged.add(latencies);
        merged.add(other.latencies);
        Map<String, Double> business = new HashMap<>(businessMetrics);
        double mine = Math.max(1, length.toMillis());
        double theirs = Math.max(1, other.length.toMillis());
        other.businessMetrics.forEach((name, value) -> business.merge(name, value,
                (a, b) -> (a * mine + b * theirs) / (mine + theirs)));
        return new Window(length.plus(other.length), requests + other.requests, errors + other.errors, merged, business,
                newErrorLines + other.newErrorLines, newWarnLines + other.newWarnLines, logsCounted || other.logsCounted, earlier(start, other.start),
                later(end, other.end));
    }

    /**
     * What two cohorts measured side by side over the same period, as the environment they split: counts and histograms
     * add up, the length is the longer of the two (not their sum), business metrics (rates) add up.
     */
    public Window alongside(Window other) {
        Histogram merged = histogram();
        merged.add(latencies);
        merged.add(other.latencies);
        Map<String, Double> business = new HashMap<>(businessMetrics);
        other.businessMetrics.forEach((name, value) -> business.merge(name, value, Double::sum));
        return new Window(length.compareTo(other.length) >= 0 ? length : other.length, requests + other.requests, errors + other.errors, merged,
                business, newErrorLines + other.newErrorLines, newWarnLines + other.newWarnLines, logsCounted || other.logsCounted,
                earlier(start, other.start), later(end, other.end));
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }

    public boolean isEmpty() {
        return requests == 0 && latencies.getTotalCount() == 0 && newErrorLines == 0 && newWarnLines == 0 && !logsCounted && businessMetrics.isEmpty();
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

    /** The latency histogram, compressed, for storage. */
    public byte[] latencyBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(latencies.getNeededByteBufferCapacity());
        int length = latencies.encodeIntoCompressedByteBuffer(buffer);
        byte[] bytes = new byte[length];
        buffer.flip();
        buffer.get(bytes);
        return bytes;
    }

    /** A histogram stored by {@link #latencyBytes}. */
    public static Histogram latenciesFrom(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return histogram();
        }
        try {
            Histogram histogram = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
            histogram.setAutoResize(true);
            return histogram;
        } catch (DataFormatException e) {
            throw new IllegalStateException("a stored latency histogram cannot be read", e);
        }
    }
}
