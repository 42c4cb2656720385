package io.deploystage.monitor.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One metric window as received. */
@Entity
@Table(name = "metric_window")
public class MetricWindowEntity extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "release_id")
    public String releaseId;

    public String service;

    @Column(name = "request_count")
    public long requestCount;

    @Column(name = "error_count")
    public long errorCount;

    @Column(name = "window_end")
    public Instant windowEnd;

    @Column(name = "window_start")
    public Instant windowStart;

    @Column(name = "deployment_id")
    public UUID deploymentId;

    public String cohort;

    public String environment;

    /** Latency observations in ms, as JSON text. */
    public String latencies;

    /** Business metric values by name, as JSON text. */
    public String business;

    @Column(name = "new_error_lines")
    public long newErrorLines;
}
