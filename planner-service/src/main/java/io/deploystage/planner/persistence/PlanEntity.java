package io.deploystage.planner.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * The planner's record of a cleared release: one per release. Status ISSUED (announced), HELD (destructive
 * migration, waiting for an approver), NEEDS_DESCRIPTOR, AWAITING_CANDIDATE or REFUSED (with the reason).
 */
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

    public String status;

    public String reason;

    @Column(name = "decision_id")
    public UUID decisionId;

    @Column(name = "gate_warnings")
    public int gateWarnings;

    @Column(name = "descriptor_version")
    public Integer descriptorVersion;

    /** The plan as JSON. */
    public String plan;

    public String checklist;

    @Column(name = "rollback_plan")
    public String rollbackPlan;

    @Column(name = "released_by")
    public String releasedBy;

    @Column(name = "created_at")
    public Instant createdAt;
}
