package io.deploystage.planner.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A plan the planner has issued: one per release. */
@Entity
@Table(name = "deployment_plan")
public class PlanEntity extends PanacheEntityBase {

    @Id
    @Column(name = "deployment_id")
    public UUID deploymentId;

    @Column(name = "release_id")
    public String releaseId;

    public String service;

    public String version;

    public String strategy;

    @Column(name = "created_at")
    public Instant createdAt;
}
