package io.deploystage.notifier.persistence;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A release as its candidate described it: the issues it names (JSON list), for the trackers. */
@Entity
@Table(name = "release_info")
public class ReleaseInfoEntity extends PanacheEntityBase {

    @Id
    @Column(name = "release_id")
    public String releaseId;

    public String service;

    public String version;

    public String issues;

    @Column(name = "created_at")
    public Instant createdAt;
}
