package io.deploystage.executor.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.deploystage.executor.domain.HealthGate;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A HealthVerdict of the monitor, kept for the wait-for-health steps of its deployment. */
@Entity
@Table(name = "health_verdict")
public class VerdictEntity extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "deployment_id")
    public UUID deploymentId;

    @Column(name = "check_name")
    public String check;

    public String verdict;

    public String reason;

    @Column(name = "received_at")
    public Instant receivedAt;

    /** The environment and cohort whose window was judged (UNKNOWN from a monitor that did not say). */
    public String environment;

    public String cohort;

    @Column(name = "window_start")
    public Instant windowStart;

    @Column(name = "window_end")
    public Instant windowEnd;

    @Column(name = "sample_count")
    public long sampleCount;

    /** The verdict as a health gate sees it; a verdict without its window counts as measured when it was received. */
    public HealthGate.Observed observed() {
        return new HealthGate.Observed(check, verdict, reason, environment, cohort, windowStart == null ? receivedAt : windowStart,
                windowEnd == null ? receivedAt : windowEnd);
    }
}
