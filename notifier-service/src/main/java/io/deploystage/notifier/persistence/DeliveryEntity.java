package io.deploystage.notifier.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One notification of one event to one destination, with its attempts: PENDING, DELIVERED or FAILED. */
@Entity
@Table(name = "delivery")
public class DeliveryEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "release_id")
    public String releaseId;

    @Column(name = "subject_event_id")
    public UUID subjectEventId;

    public String destination;

    public String kind;

    /** HTTP method; POST unless a tracker request says otherwise. */
    public String method;

    /** This delivery's own URL (tracker requests); null: the destination's URL. */
    public String url;

    /** The request body, as sent. */
    public String body;

    public String summary;

    public String status;

    public int attempts;

    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;

    @Column(name = "last_error")
    public String lastError;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
