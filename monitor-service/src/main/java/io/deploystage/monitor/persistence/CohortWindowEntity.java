package io.deploystage.monitor.persistence;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;

import com.fasterxml.jackson.core.type.TypeReference;

import io.deploystage.monitor.domain.Window;
import io.deploystage.platform.persistence.JsonText;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** The window state of one release, environment and cohort: all measured so far, and what is pending a verdict. */
@Entity
@Table(name = "cohort_window")
public class CohortWindowEntity extends PanacheEntityBase {

    @Id
    @Column(name = "window_key")
    public String windowKey;

    @Column(name = "release_id")
    public String releaseId;

    public String service;

    public String environment;

    public String cohort;

    public long samples;

    /** Everything measured so far, as a {@link StoredWindow} document. */
    public String total = "{}";

    /** What was measured since the last verdict, as a {@link StoredWindow} document. */
    public String pending = "{}";

    /** BASELINE rows: what was measured in each minute (epoch minute of the window's end), the last baseline window of them. */
    public String buckets = "{}";

    /** The last MetricSample added to the pending window: the cause of its verdicts. */
    @Column(name = "pending_cause")
    public UUID pendingCause;

    @Column(name = "last_verdict_at")
    public Instant lastVerdictAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    public static String key(String releaseId, String environment, String cohort) {
        return releaseId + "/" + environment + "/" + cohort;
    }

    public static CohortWindowEntity create(String releaseId, String service, String environment, String cohort) {
        CohortWindowEntity row = new CohortWindowEntity();
        row.windowKey = key(releaseId, environment, cohort);
        row.releaseId = releaseId;
        row.service = service;
        row.environment = environment;
        row.cohort = cohort;
        return row;
    }

    /** The documents, read once per load (a batch reads a baseline's total once for each of its cohorts). */
    @Transient
    private Window totalWindow;

    @Transient
    private Window pendingWindow;

    public Window total() {
        if (totalWindow == null) {
            totalWindow = StoredWindow.read(total);
        }
        return totalWindow;
    }

    public Window pending() {
        if (pendingWindow == null) {
            pendingWindow = StoredWindow.read(pending);
        }
        return pendingWindow;
    }

    /**
     * Adds baseline windows (each with when it was measured) to their minutes, drops the minutes older than {@code keep}
     * before the latest one, and makes the total the sum of those left: the baseline is the last {@code keep} of traffic
     * before the deploy. The minutes are read and written once per call.
     */
    public void addToBaseline(Map<Instant, Window> measured, Duration keep) {
        TreeMap<Long, Window> byMinute = new TreeMap<>();
        JsonText.read(buckets, MINUTES).forEach((minute, stored) -> byMinute.put(minute, StoredWindow.read(stored)));
        measured.forEach((at, window) -> byMinute.merge(at.getEpochSecond() / 60, window, Window::plus));
        long latest = byMinute.lastKey();
        byMinute.keySet().removeIf(m -> m <= latest - Math.max(1, keep.toMinutes()));
        Window sum = Window.empty();
        TreeMap<Long, String> stored = new TreeMap<>();
        for (Map.Entry<Long, Window> minute : byMinute.entrySet()) {
            sum = sum.plus(minute.getValue());
            stored.put(minute.getKey(), StoredWindow.write(minute.getValue()));
        }
        buckets = JsonText.write(stored);
        setTotal(sum);
    }

    private static final TypeReference<Map<Long, String>> MINUTES = new TypeReference<>() { };

    public void setTotal(Window window) {
        total = StoredWindow.write(window);
        totalWindow = window;
    }

    public void setPending(Window window) {
        pending = StoredWindow.write(window);
        pendingWindow = window;
    }
}
