package io.deploystage.platform.outbox;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** An event committed with the state change that caused it, waiting for the relay to put it on Kafka. */
@Entity
@Table(name = "outbox")
public class OutboxEntry extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    /** Commit order, assigned by the database. */
    @Column(insertable = false, updatable = false)
    public Long seq;

    @Column(nullable = false)
    public String topic;

    @Column(name = "message_key", nullable = false)
    public String messageKey;

    @Column(name = "event_type", nullable = false)
    public String eventType;

    /** The event in Avro binary encoding, written with {@link #writerSchema}. */
    @Column(nullable = false)
    public byte[] payload;

    /** The schema the payload was written with (JSON); null in rows written before it was kept: the type's schema then. */
    @Column(name = "writer_schema")
    public String writerSchema;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** The trace context the event was staged in (W3C traceparent), sent on the record; null when tracing is off. */
    public String traceparent;
}
