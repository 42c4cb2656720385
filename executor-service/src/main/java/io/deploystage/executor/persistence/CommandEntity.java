package io.deploystage.executor.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A rollback or operator command received for a deployment (the decision ledger's input). */
@Entity
@Table(name = "deployment_command")
public class CommandEntity extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "deployment_id")
    public String deploymentId;

    @Column(name = "release_id")
    public String releaseId;

    public String kind;

    @Column(name = "requested_by")
    public String requestedBy;

    @Column(name = "step_id")
    public String stepId;

    /** What the operator wrote with it (for an approval: a senior approval naming a hotfix's incident). */
    public String comment;

    @Column(name = "received_at")
    public Instant receivedAt;
}
