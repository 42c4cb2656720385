package io.deploystage.platform.outbox;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;

import io.deploystage.events.AvroBinary;
import io.deploystage.events.EventEnvelope;
import io.deploystage.events.Topics;
import io.smallrye.mutiny.Uni;

/** Stages outgoing events in the current transaction, so they commit (or roll back) with the state change. */
@ApplicationScoped
public class Outbox {

    /** Must be called inside the transaction that changes the state the events announce. */
    public Uni<Void> stage(List<? extends SpecificRecordBase> events) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (SpecificRecordBase event : events) {
            chain = chain.chain(() -> entryFor(event).persist()).replaceWithVoid();
        }
        return chain;
    }

    static OutboxEntry entryFor(SpecificRecordBase event) {
        OutboxEntry entry = new OutboxEntry();
        entry.eventId = EventEnvelope.eventId(event);
        entry.topic = Topics.of(event.getClass());
        entry.messageKey = EventEnvelope.releaseId(event);
        entry.eventType = event.getClass().getName();
        entry.payload = AvroBinary.encode(event);
        entry.createdAt = Instant.now();
        return entry;
    }

    static SpecificRecordBase decode(OutboxEntry entry) {
        try {
            Class<? extends SpecificRecordBase> type = Class.forName(entry.eventType, true, Outbox.class.getClassLoader())
                    .asSubclass(SpecificRecordBase.class);
            return AvroBinary.decode(entry.payload, AvroBinary.modelFor(type).getSchema(type), type);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Outbox entry " + entry.eventId + " has an unknown type " + entry.eventType, e);
        }
    }
}
