package io.deploystage.gate.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** An approver's acceptance of one finding of a release. */
@Entity
@Table(name = "waiver")
public class WaiverEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "release_id")
    public String releaseId;

    public String stage;

    @Column(name = "finding_id")
    public String findingId;

    @Column(name = "accepted_by")
    public String acceptedBy;

    public String rationale;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "created_at")
    public Instant createdAt;
}
