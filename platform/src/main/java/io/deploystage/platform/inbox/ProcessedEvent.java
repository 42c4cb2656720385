package io.deploystage.platform.inbox;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** Marks an incoming event as handled, in the same transaction as its effects: a redelivery changes nothing. */
@Entity
@Table(name = "processed_event")
public class ProcessedEvent extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(nullable = false)
    public String topic;

    @Column(name = "processed_at", nullable = false)
    public Instant processedAt;

    public ProcessedEvent() {
    }

    public ProcessedEvent(UUID eventId, String topic, Instant processedAt) {
        this.eventId = eventId;
        this.topic = topic;
        this.processedAt = processedAt;
    }
}
