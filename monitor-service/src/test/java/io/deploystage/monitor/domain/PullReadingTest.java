package io.deploystage.monitor.domain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** The Prometheus text format, selectors, and readings turned into windows: what the pull sources stand on. */
class PullReadingTest {

    static final String TEXT = """
            # HELP sample_requests_total Requests.
            # TYPE sample_requests_total counter
            sample_requests_total{instance="prod-1",version="1.0.0",status="200"} 950
            sample_requests_total{instance="prod-1",version="1.0.0",status="500"} 50
            sample_request_duration_seconds_bucket{instance="prod-1",le="0.05"} 600
            sample_request_duration_seconds_bucket{instance="prod-1",le="0.1"} 900
            sample_request_duration_seconds_bucket{instance="prod-1",le="+Inf"} 1000
            sample_orders_total{instance="prod-1",note="a \\"quoted\\" {brace}"} 950 1700000000000
            process_start_time_seconds 1.7E9
            this line is not a sample
            broken{label=unquoted} 3
            nan_gauge NaN
            """;

    @Test
    void seriesAreReadAndPickedBySelectors() {
        List<MetricsText.Series> series = MetricsText.parse(TEXT);
        assertEquals(7, series.size(), "the comments, the prose, the malformed label and NaN are skipped: " + series);
        assertEquals(1000, MetricsText.sum(series, MetricsText.Selector.parse("sample_requests_total")));
        assertEquals(50, MetricsText.sum(series, MetricsText.Selector.parse("sample_requests_total{status=\"500\"}")));
        assertEquals(0, MetricsText.sum(series, MetricsText.Selector.parse("sample_requests_total{status=\"404\"}")));
        assertEquals(950, MetricsText.sum(series, MetricsText.Selector.parse("sample_orders_total{note=\"a \\\"quoted\\\" {brace}\"}")));
        assertEquals(1.7e9, MetricsText.sum(series, MetricsText.Selector.parse("process_start_time_seconds")));
        assertEquals(Map.of(0.05, 600.0, 0.1, 900.0, Double.POSITIVE_INFINITY, 1000.0),
                MetricsText.buckets(series, MetricsText.Selector.parse("sample_request_duration_seconds_bucket")));
        assertThrows(IllegalArgumentException.class, () -> MetricsText.Selector.parse("rate(x[5m])"));
        assertThrows(IllegalArgumentException.class, () -> MetricsText.Selector.parse("x{a=b}"));
    }

    static Reading reading(double requests, double errors, double le50, double le100, double inf, double orders) {
        TreeMap<Double, Double> buckets = new TreeMap<>(Map.of(0.05, le50, 0.1, le100, Double.POSITIVE_INFINITY, inf));
        return new Reading(requests, errors, buckets, errors, Map.of("orders", orders));
    }

    @Test
    void twoScrapesMakeAWindowAndARestartResetsTheCounters() {
        Reading before = reading(1_000, 50, 600, 900, 1_000, 950);
        Reading after = reading(1_100, 60, 650, 980, 1_100, 1_040);
        Reading window = after.since(before);
        assertEquals(100, window.requests());
        assertEquals(10, window.errors());
        assertEquals(90, window.business().get("orders"));
        assertEquals(Map.of(0.05, 50.0, 0.1, 80.0, Double.POSITIVE_INFINITY, 100.0), window.buckets());
        Reading restarted = reading(30, 9, 20, 28, 30, 21);
        Reading afterRestart = restarted.since(after);
        assertEquals(30, afterRestart.requests(), "a counter that went down restarted from zero: all of it is new");
        assertEquals(9, afterRestart.errors());
    }

    @Test
    void bucketsStandForLatenciesAtTheirUpperBound() {
        Reading window = reading(10, 0, 5, 8, 10, 0);
        assertArrayEquals(new double[] {50, 50, 50, 50, 50, 100, 100, 100, 200, 200}, window.latenciesMs(1_000));
        double[] capped = window.latenciesMs(5);
        assertEquals(List.of(50.0, 50.0, 100.0, 200.0), java.util.Arrays.stream(capped).boxed().toList(), "scaled down beyond the cap, never above it");
        assertEquals(0, reading(0, 0, 0, 0, 0, 0).latenciesMs(10).length);
    }
}
