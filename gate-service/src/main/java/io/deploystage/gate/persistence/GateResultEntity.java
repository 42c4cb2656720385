package io.deploystage.gate.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One gate result as received. */
@Entity
@Table(name = "gate_result")
public class GateResultEntity extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "release_id")
    public String releaseId;

    public String stage;

    public String verdict;

    @Column(name = "occurred_at")
    public Instant occurredAt;

    /** The findings as JSON text. */
    public String findings;

    public Double coverage;
}
