package io.deploystage.gate.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One evaluation of a release's gates, with the inputs it saw (the decision ledger). */
@Entity
@Table(name = "decision_ledger")
public class LedgerEntry extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "release_id")
    public String releaseId;

    public String outcome;

    /** Whether the evaluation changed the outcome and was announced as a GateDecision. */
    public boolean announced;

    /** The reasons as JSON. */
    public String reasons;

    /** The candidate, reports, waivers, policy and clock reading the evaluation saw, as JSON. */
    public String inputs;

    /** The event or request that caused the evaluation. */
    public String cause;

    @Column(name = "decided_at")
    public Instant decidedAt;
}
