package io.deploystage.notifier.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A notification decided for an event and a destination: at most one per pair. */
@Entity
@Table(name = "notification")
public class NotificationEntity extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "release_id")
    public String releaseId;

    @Column(name = "subject_event_id")
    public UUID subjectEventId;

    public String destination;

    public String summary;

    @Column(name = "created_at")
    public Instant createdAt;
}
