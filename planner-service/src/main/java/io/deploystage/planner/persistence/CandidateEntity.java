package io.deploystage.planner.persistence;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** What the planner knows of a release candidate. */
@Entity
@Table(name = "release_candidate")
public class CandidateEntity extends PanacheEntityBase {

    @Id
    @Column(name = "release_id")
    public String releaseId;

    public String service;

    public String version;

    @Column(name = "commit_sha")
    public String commitSha;

    @Column(name = "requested_by")
    public String requestedBy;

    /** The change profile as JSON. */
    @Column(name = "change_profile")
    public String changeProfile;

    @Column(name = "received_at")
    public Instant receivedAt;
}
