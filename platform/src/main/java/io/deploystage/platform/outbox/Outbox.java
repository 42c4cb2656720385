package io.deploystage.platform.outbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;

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
        entry.payload = encode(event);
        entry.createdAt = Instant.now();
        return entry;
    }

    static byte[] encode(SpecificRecordBase event) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<SpecificRecordBase>(event.getSchema()).write(event, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SpecificRecordBase decode(OutboxEntry entry) {
        try {
            Class<?> type = Class.forName(entry.eventType, true, Thread.currentThread().getContextClassLoader());
            var reader = new SpecificDatumReader<SpecificRecordBase>(SpecificData.get().getSchema(type));
            return reader.read(null, DecoderFactory.get().binaryDecoder(entry.payload, null));
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("Outbox entry " + entry.eventId + " cannot be decoded", e);
        }
    }
}
