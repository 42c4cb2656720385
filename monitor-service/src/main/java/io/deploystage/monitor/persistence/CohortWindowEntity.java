package io.deploystage.monitor.persistence;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import com.fasterxml.jackson.core.type.TypeReference;

import io.deploystage.monitor.domain.Window;
import io.deploystage.platform.persistence.JsonText;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** The window state of one release, environment and cohort: all measured so far, and what is pending a verdict. */
@Entity
@Table(name = "cohort_window")
public class CohortWindowEntity extends PanacheEntityBase {

    private static final TypeReference<Map<String, Double>> BUSINESS = new TypeReference<>() { };

    @Id
    @Column(name = "window_key")
    public String windowKey;

    @Column(name = "release_id")
    public String releaseId;

    public String service;

    public String environment;

    public String cohort;

    public long samples;

    @Column(name = "total_ms")
    public long totalMs;

    @Column(name = "total_requests")
    public long totalRequests;

    @Column(name = "total_errors")
    public long totalErrors;

    @Column(name = "total_latencies")
    public byte[] totalLatencies;

    @Column(name = "total_business")
    public String totalBusiness = "{}";

    @Column(name = "total_error_lines")
    public long totalErrorLines;

    @Column(name = "pending_ms")
    public long pendingMs;

    @Column(name = "pending_requests")
    public long pendingRequests;

    @Column(name = "pending_errors")
    public long pendingErrors;

    @Column(name = "pending_latencies")
    public byte[] pendingLatencies;

    @Column(name = "pending_business")
    public String pendingBusiness = "{}";

    @Column(name = "pending_error_lines")
    public long pendingErrorLines;

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

    public Window total() {
        return new Window(Duration.ofMillis(totalMs), totalRequests, totalErrors, Window.latenciesFrom(totalLatencies),
                JsonText.read(totalBusiness, BUSINESS), totalErrorLines);
    }

    public Window pending() {
        return new Window(Duration.ofMillis(pendingMs), pendingRequests, pendingErrors, Window.latenciesFrom(pendingLatencies),
                JsonText.read(pendingBusiness, BUSINESS), pendingErrorLines);
    }

    public void setTotal(Window window) {
        totalMs = window.length().toMillis();
        totalRequests = window.requests();
        totalErrors = window.errors();
        totalLatencies = window.latencyBytes();
        totalBusiness = JsonText.write(window.businessMetrics());
        totalErrorLines = window.newErrorLines();
    }

    public void setPending(Window window) {
        pendingMs = window.length().toMillis();
        pendingRequests = window.requests();
        pendingErrors = window.errors();
        pendingLatencies = window.latencyBytes();
        pendingBusiness = JsonText.write(window.businessMetrics());
        pendingErrorLines = window.newErrorLines();
    }
}
