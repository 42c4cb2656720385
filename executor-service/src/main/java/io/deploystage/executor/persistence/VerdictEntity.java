package io.deploystage.executor.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

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
}
