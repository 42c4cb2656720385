package io.deploystage.monitor.persistence;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import io.deploystage.monitor.domain.Window;
import io.deploystage.platform.persistence.JsonText;

/** A window as stored: a JSON document with its counts, length, business rates and compressed latency histogram. */
public record StoredWindow(long lengthMs, long requests, long errors, String latencies, Map<String, Double> business, long errorLines,
        long warnLines, boolean logsCounted, Instant start, Instant end) {

    public static String write(Window window) {
        return JsonText.write(new StoredWindow(window.length().toMillis(), window.requests(), window.errors(),
                Base64.getEncoder().encodeToString(window.latencyBytes()), window.businessMetrics(), window.newErrorLines(),
                window.newWarnLines(), window.logsCounted(), window.start(), window.end()));
    }

    public static Window read(String json) {
        if (json == null || json.isBlank() || json.equals("{}")) {
            return Window.empty();
        }
        StoredWindow stored = JsonText.read(json, StoredWindow.class);
        return new Window(Duration.ofMillis(stored.lengthMs()), stored.requests(), stored.errors(),
                Window.latenciesFrom(stored.latencies() == null ? null : Base64.getDecoder().decode(stored.latencies())),
                stored.business() == null ? Map.of() : stored.business(), stored.errorLines(), stored.warnLines(), stored.logsCounted(),
                stored.start(), stored.end());
    }
}
