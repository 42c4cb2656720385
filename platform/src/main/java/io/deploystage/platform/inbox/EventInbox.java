package io.deploystage.platform.inbox;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.deploystage.platform.config.PlatformConfig;
import io.deploystage.platform.messaging.DeadLetters;
import io.deploystage.platform.messaging.EventDecoder;
import io.deploystage.events.EventEnvelope;
import io.deploystage.platform.messaging.RejectedEvent;
import io.deploystage.platform.outbox.Outbox;
import io.deploystage.platform.outbox.OutboxRelay;
import io.deploystage.platform.persistence.ReleaseLock;
import io.deploystage.platform.runtime.OffLoop;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * The one way a service consumes an event: decode and validate (else dead-letter), then, in one transaction,
 * skip it if its eventId was processed before, or run the handler, stage the events it answers with in the
 * outbox and record the eventId. The record's offset is committed only after that transaction commits.
 */
@ApplicationScoped
public class EventInbox {

    private static final Logger LOG = Logger.getLogger(EventInbox.class);

    /** Retries of a failing handler (about 30 s with back-off) before the record is dead-lettered. */
    private static final int ATTEMPTS = 10;

    private final EventDecoder decoder;
    private final DeadLetters deadLetters;
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final PlatformConfig config;
    private final MeterRegistry meters;
    private final String service;

    EventInbox(EventDecoder decoder, DeadLetters deadLetters, Outbox outbox, OutboxRelay relay, PlatformConfig config, MeterRegistry meters,
            @ConfigProperty(name = "quarkus.application.name") String service) {
        this.decoder = decoder;
        this.deadLetters = deadLetters;
        this.outbox = outbox;
        this.relay = relay;
        this.config = config;
        this.meters = meters;
        this.service = service;
    }

    /**
     * Handles one record. The handler runs inside the transaction: its persistence calls commit together with the
     * outgoing events it returns. It throws {@link RejectedEvent} for an event that is well-formed but invalid.
     */
    public <T extends SpecificRecordBase> Uni<Void> consume(ConsumerRecord<String, byte[]> record, Class<T> type,
            Function<T, Uni<List<SpecificRecordBase>>> handler) {
        // the registry client blocks: decode on a worker, then handle on this record's Vert.x context
        return OffLoop.run(() -> decoder.decode(record, type))
                .onItem().transformToUni(event -> handle(record, type, event, handler))
                .onFailure(RejectedEvent.class).recoverWithUni(e -> deadLetter(record, e.getMessage()));
    }

    private <T extends SpecificRecordBase> Uni<Void> handle(ConsumerRecord<String, byte[]> record, Class<T> type, T event,
            Function<T, Uni<List<SpecificRecordBase>>> handler) {
        UUID eventId = EventEnvelope.eventId(event);
        return Panache.withTransaction(() -> ReleaseLock.lock(EventEnvelope.releaseId(event))
                        .chain(() -> ProcessedEvent.<ProcessedEvent>findById(eventId))
                        .chain(seen -> seen != null ? Uni.createFrom().<List<SpecificRecordBase>>nullItem()
                                : Uni.createFrom().deferred(() -> handler.apply(event))
                                        .call(out -> outbox.stage(out))
                                        .call(out -> new ProcessedEvent(eventId, record.topic(), Instant.now()).persist())
                                        .invoke(this::haltIfAsked)))
                .invoke(out -> log(type, event, out))
                .invoke(out -> {
                    if (out != null && !out.isEmpty()) {
                        relay.wake();
                    }
                })
                .replaceWithVoid()
                .onFailure(RejectedEvent.class).recoverWithUni(e -> deadLetter(record, e.getMessage()))
                .onFailure(e -> !(e instanceof RejectedEvent))
                .invoke(e -> LOG.warnf("Handling %s %s failed, retrying: %s", type.getSimpleName(), eventId, e.toString()))
                .onFailure(e -> !(e instanceof RejectedEvent)).retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).atMost(ATTEMPTS)
                // a record that keeps failing is parked with the reason rather than blocking its partition for good
                .onFailure().recoverWithUni(e -> deadLetter(record, "processing failed after " + (ATTEMPTS + 1) + " attempts: " + e));
    }

    private Uni<Void> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        meters.counter("deploystage.dead.letters", "topic", record.topic()).increment();
        return deadLetters.send(record, service, reason);
    }

    private void haltIfAsked() {
        if (config.fault().haltBeforeCommit()) {
            LOG.error("Fault injection: halting before the consume transaction commits");
            Runtime.getRuntime().halt(137);
        }
    }

    private static void log(Class<?> type, SpecificRecordBase event, List<SpecificRecordBase> out) {
        String release = EventEnvelope.releaseId(event);
        if (out == null) {
            LOG.infof("Release %s: %s %s already processed, ignored", release, type.getSimpleName(), EventEnvelope.eventId(event));
        } else {
            LOG.infof("Release %s: %s %s -> %s", release, type.getSimpleName(), EventEnvelope.eventId(event),
                    out.isEmpty() ? "nothing to emit" : out.stream().map(e -> e.getSchema().getName()).collect(Collectors.joining(", ")));
        }
    }
}
