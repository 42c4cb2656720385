package io.deploystage.executor.persistence;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A feature flag in the built-in store. */
@Entity
@Table(name = "feature_flag")
public class FlagEntity extends PanacheEntityBase {

    @Id
    @Column(name = "flag_key")
    public String key;

    public boolean enabled;

    @Column(name = "rollout_percent")
    public int rolloutPercent;

    /** Internal users' targeting keys, as JSON text. */
    @Column(name = "internal_users")
    public String internalUsers;

    @Column(name = "internal_enabled")
    public boolean internalEnabled;

    @Column(name = "killed_at")
    public Instant killedAt;

    @Column(name = "killed_by")
    public String killedBy;

    @Column(name = "updated_by")
    public String updatedBy;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
