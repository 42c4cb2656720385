package io.deploystage.platform.outbox;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;

import io.deploystage.events.AvroBinary;
import io.deploystage.events.EventEnvelope;
import io.deploystage.events.Topics;
import io.deploystage.platform.tracing.ReleaseTraces;
import io.smallrye.mutiny.Uni;

/** Stages outgoing events in the current transaction, so they commit (or roll back) with the state change. */
@ApplicationScoped
public class Outbox {

    private final ReleaseTraces traces;

    Outbox(ReleaseTraces traces) {
        this.traces = traces;
    }

    /**
     * Must be called inside the transaction that changes the state the events announce. Each event goes out in its
     * release's trace (see {@link ReleaseTraces}).
     */
    public Uni<Void> stage(List<? extends SpecificRecordBase> events) {
        return stage(events, release -> null, null);
    }

    /**
     * As {@link #stage(List)}, each event in the trace {@code given} for its release (the span handling its cause), else
     * the release's, else {@code fallback} (a REST request's span; then it becomes the release's trace).
     */
    public Uni<Void> stage(List<? extends SpecificRecordBase> events, java.util.function.Function<String, String> given, String fallback) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // one call for all of them: a chain of one Uni per event nests a stack frame per event when subscribed, and a
        // set-wise batch of a few hundred events overflowed the event loop's stack (the transaction then hung)
        return traces.forStaging(events, given, fallback).chain(trace -> OutboxEntry.persist(events.stream().map(event -> {
            OutboxEntry entry = entryFor(event);
            entry.traceparent = trace.apply(entry.messageKey);
            return entry;
        }).toList()));
    }

    static OutboxEntry entryFor(SpecificRecordBase event) {
        OutboxEntry entry = new OutboxEntry();
        entry.eventId = EventEnvelope.eventId(event);
        entry.topic = Topics.of(event.getClass());
        entry.messageKey = EventEnvelope.releaseId(event);
        entry.eventType = event.getClass().getName();
        entry.payload = AvroBinary.encode(event);
        entry.writerSchema = SCHEMA_TEXT.computeIfAbsent(event.getClass(), type -> event.getSchema().toString());
        entry.createdAt = Instant.now();
        return entry;
    }

    /**
     * The event of a row, read with the schema it was written with and resolved to this version's contract (a field
     * added since takes its default). Throws {@link IllegalStateException} for a row that cannot be read.
     */
    static SpecificRecordBase decode(OutboxEntry entry) {
        return read(entry.eventId, entry.eventType, entry.writerSchema, entry.payload);
    }

    /** Avro bytes stored with their writer schema (JSON; null: the type's own), read as this version's contract. */
    public static SpecificRecordBase read(Object id, String eventType, String writerSchema, byte[] payload) {
        try {
            Class<? extends SpecificRecordBase> type = Class.forName(eventType, true, Outbox.class.getClassLoader())
                    .asSubclass(SpecificRecordBase.class);
            org.apache.avro.Schema writer = writerSchema == null ? AvroBinary.modelFor(type).getSchema(type)
                    : SCHEMAS.computeIfAbsent(writerSchema, json -> new org.apache.avro.Schema.Parser().parse(json));
            return AvroBinary.decode(payload, writer, type);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(id + " has an unknown type " + eventType, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException(id + " cannot be read as " + eventType + ": " + e.getMessage(), e);
        }
    }

    /** Each contract's schema as JSON, written once rather than per staged event. */
    private static final java.util.Map<Class<?>, String> SCHEMA_TEXT = new java.util.concurrent.ConcurrentHashMap<>();

    /** Writer schemas parsed once: there are a handful of them. */
    private static final java.util.Map<String, org.apache.avro.Schema> SCHEMAS = new java.util.concurrent.ConcurrentHashMap<>();
}
