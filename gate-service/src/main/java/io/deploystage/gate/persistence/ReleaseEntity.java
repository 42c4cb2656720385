package io.deploystage.gate.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A release candidate the gate has seen, and the last decision announced for it. */
@Entity
@Table(name = "release")
public class ReleaseEntity extends PanacheEntityBase {

    @Id
    @Column(name = "release_id")
    public String releaseId;

    public String service;

    public String version;

    /** Comma-separated gate stages. */
    @Column(name = "required_gates")
    public String requiredGates;

    @Column(name = "requested_by")
    public String requestedBy;

    @Column(name = "last_outcome")
    public String lastOutcome;

    @Column(name = "last_decision_id")
    public java.util.UUID lastDecisionId;

    @Column(name = "submitted_at")
    public java.time.Instant submittedAt;
}
