package io.deploystage.planner.persistence;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A deployment calendar set over REST for a scope (a service, or {@code default}). */
@Entity
@Table(name = "deployment_calendar")
public class CalendarEntity extends PanacheEntityBase {

    @Id
    public String scope;

    /** The calendar as JSON. */
    public String body;

    @Column(name = "updated_by")
    public String updatedBy;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
