package io.deploystage.executor.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** The blue/green colour that serves a service's traffic, and the deployment that made it live. */
@Entity
@Table(name = "service_colour")
public class ServiceColourEntity extends PanacheEntityBase {

    @Id
    public String service;

    public String live;

    @Column(name = "deployment_id")
    public UUID deploymentId;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
