package io.deploystage.executor.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.deploystage.executor.domain.DeploymentState;
import io.deploystage.executor.domain.Phase;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A deployment: its plan (the DeploymentPlan event as Avro), where it stands and which step is next. */
@Entity
@Table(name = "deployment")
public class DeploymentEntity extends PanacheEntityBase {

    @Id
    @Column(name = "deployment_id")
    public UUID deploymentId;

    @Column(name = "release_id")
    public String releaseId;

    public String service;

    public String version;

    public String strategy;

    public byte[] plan;

    /** The schema {@link #plan} was written with (JSON; null in rows from before it was kept). */
    @Column(name = "plan_schema")
    public String planSchema;

    @Enumerated(EnumType.STRING)
    public DeploymentState state;

    @Enumerated(EnumType.STRING)
    public Phase phase;

    @Column(name = "next_step")
    public int nextStep;

    @Column(name = "pause_requested")
    public boolean pauseRequested;

    public String reason;

    /** WAITING_FOR_WINDOW: when the deployment window opens and production starts (null: no opening was found). */
    @Column(name = "not_before")
    public Instant notBefore;

    /** Blue/green: the colour that was live when the deployment started (it deploys to the other). */
    @Column(name = "live_colour")
    public String liveColour;

    /** The executor instance that drives the deployment, while its lease lasts (null: none yet). */
    public String driver;

    @Column(name = "lease_until")
    public Instant leaseUntil;

    /** Raised by every takeover: a driver holding an older token has lost the deployment. */
    @Column(name = "lease_token")
    public long leaseToken;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
