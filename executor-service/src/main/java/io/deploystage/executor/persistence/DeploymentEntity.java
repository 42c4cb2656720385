package io.deploystage.executor.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A deployment the executor runs, with its current status. */
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

    public String status;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
