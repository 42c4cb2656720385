package io.deploystage.platform.inbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.deploystage.platform.config.PlatformConfig;
import io.deploystage.platform.health.Dependencies;
import io.deploystage.platform.messaging.DependencyUnavailable;
import io.deploystage.platform.messaging.DeadLetters;
import io.deploystage.platform.messaging.EventDecoder;
import io.deploystage.events.EventEnvelope;
import io.deploystage.platform.messaging.RejectedEvent;
import io.deploystage.platform.outbox.Outbox;
import io.deploystage.platform.outbox.OutboxRelay;
import io.deploystage.platform.persistence.ReleaseLock;
import io.deploystage.platform.runtime.InOrder;
import io.deploystage.platform.runtime.OffLoop;
import io.deploystage.platform.tracing.ReleaseTraces;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * The one way a service consumes an event: decode and validate (else dead-letter), then, in one transaction,
 * skip it if its eventId was processed before, or run the handler, stage the events it answers with in the
 * outbox and record the eventId. The record's offset is committed only after that transaction commits.
 *
 * <p>Only a record that is itself at fault is dead-lettered: one that cannot be read or is invalid, or whose handling
 * fails {@value #ATTEMPTS} times while PostgreSQL and the registry answer. While either is down, the consumer waits for
 * it and tries the same record again, taking no more (the connector pauses the partitions once its queue is full), and
 * the service reports not ready: an outage of any length loses nothing and parks nothing.
 */
@ApplicationScoped
public class EventInbox {

    private static final Logger LOG = Logger.getLogger(EventInbox.class);

    /** Attempts at handling a record while its dependencies answer (about 30 s with back-off) before it is dead-lettered. */
    static final int ATTEMPTS = 10;

    private final EventDecoder decoder;
    private final DeadLetters deadLetters;
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final jakarta.enterprise.event.Event<EventsCommitted> afterCommit;
    private final PlatformConfig config;
    private final MeterRegistry meters;
    private final Dependencies dependencies;
    private final String service;
    private final ReleaseTraces traces;

    EventInbox(EventDecoder decoder, DeadLetters deadLetters, Outbox outbox, OutboxRelay relay,
            jakarta.enterprise.event.Event<EventsCommitted> afterCommit, PlatformConfig config, MeterRegistry meters,
            Dependencies dependencies, @ConfigProperty(name = "quarkus.application.name") String service, ReleaseTraces traces) {
        this.traces = traces;
        this.dependencies = dependencies;
        this.decoder = decoder;
        this.deadLetters = deadLetters;
        this.outbox = outbox;
        this.relay = relay;
        this.afterCommit = afterCommit;
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
        return retrying(record.topic(), () -> OffLoop.run(() -> decoder.decode(record, type), DECODE_LIMIT, () -> late(record.topic())),
                Integer.MAX_VALUE)
                .onItem().transformToUni(event -> handle(record, type, event, eachOf(handler)))
                .onFailure(RejectedEvent.class).recoverWithUni(e -> deadLetter(record, e.getMessage()));
    }

    /**
     * Handles an event that originates in this service (a REST request) exactly as a consumed one, in one transaction,
     * and publishes the event itself with what the handler emits, so subscribers see it; when this service consumes it
     * back, it is skipped as processed. A {@link RejectedEvent} or any other failure reaches the caller.
     */
    public <T extends SpecificRecordBase> Uni<Void> accept(T event, Function<T, Uni<List<SpecificRecordBase>>> handler) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) event.getClass();
        // in the release's trace if there is one, else in the request's
        return handleAll(io.deploystage.events.Topics.of(type), type, List.of(event), eachOf(e -> handler.apply(e).map(out -> {
            List<SpecificRecordBase> all = new ArrayList<>();
            all.add(e);
            all.addAll(out);
            return all;
        })), Map.of(), traces.current());
    }

    /**
     * Handles a polled batch in one transaction: the same guarantees as {@link #consume} per record, with one commit
     * for the batch. Records that cannot be read are dead-lettered first; if the batch transaction fails (an event
     * the handler rejects, a conflict), every record is handled again on its own.
     */
    public <T extends SpecificRecordBase> Uni<Void> consumeBatch(ConsumerRecords<String, byte[]> records, Class<T> type,
            Function<T, Uni<List<SpecificRecordBase>>> handler) {
        return consumeAll(records, type, event -> { }, eachOf(handler));
    }

    /**
     * As {@link #consumeBatch}, for a handler that takes the batch's new events together (to add up what they
     * measured, say) rather than one by one. {@code validate} throws {@link RejectedEvent} for an event that is
     * well-formed but invalid; such a record is dead-lettered with the reason, and the others are handled.
     */
    public <T extends SpecificRecordBase> Uni<Void> consumeAll(ConsumerRecords<String, byte[]> records, Class<T> type,
            java.util.function.Consumer<T> validate, Function<List<T>, Uni<List<SpecificRecordBase>>> handler) {
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>(records.count());
        records.forEach(all::add);
        return retrying(all.get(0).topic(), () -> decodeAll(all, type, validate), Integer.MAX_VALUE).chain(decoded -> {
            Map<UUID, T> events = new LinkedHashMap<>();
            decoded.forEach(d -> events.putIfAbsent(EventEnvelope.eventId(d.event()), d.event()));
            return events.isEmpty() ? Uni.createFrom().voidItem()
                    : handleAll(all.get(0).topic(), type, new ArrayList<>(events.values()), handler, carried(decoded), null)
                            .onFailure().recoverWithUni(e -> {
                                LOG.infof("Batch of %d %s failed (%s); handling each record on its own", events.size(),
                                        type.getSimpleName(), e.toString());
                                return InOrder.run(decoded, next -> handle(next.record(), type, next.event(), handler));
                            });
        });
    }

    /** A record and the event decoded from it. */
    private record Decoded<T>(ConsumerRecord<String, byte[]> record, T event) {
    }

    /** The trace context each record carried (header traceparent), by eventId. */
    private static <T extends SpecificRecordBase> Map<UUID, String> carried(List<Decoded<T>> decoded) {
        Map<UUID, String> carried = new java.util.HashMap<>();
        for (Decoded<T> d : decoded) {
            String traceparent = ReleaseTraces.of(d.record().headers());
            if (traceparent != null) {
                carried.putIfAbsent(EventEnvelope.eventId(d.event()), traceparent);
            }
        }
        return carried;
    }

    /**
     * Decodes a polled batch off the event loop and checks each event with {@code validate} (which throws
     * {@link RejectedEvent} for a well-formed but invalid event); what cannot be read or is invalid is dead-lettered
     * with the reason. The rest comes back in order.
     */
    private <T extends SpecificRecordBase> Uni<List<Decoded<T>>> decodeAll(List<ConsumerRecord<String, byte[]>> records, Class<T> type,
            java.util.function.Consumer<T> validate) {
        if (records.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return OffLoop.run(() -> records.stream().map(record -> {
                    try {
                        T event = decoder.decode(record, type);
                        validate.accept(event);
                        return (Object) new Decoded<>(record, event);
                    } catch (RejectedEvent e) {
                        return e;
                    } catch (DependencyUnavailable e) {
                        throw e; // the whole batch waits for it
                    } catch (RuntimeException e) {
                        return new RejectedEvent("cannot be read: " + e);
                    }
                }).toList(), DECODE_LIMIT, () -> late(records.get(0).topic()))
                .chain(decoded -> {
                    List<Uni<Void>> dead = new ArrayList<>();
                    List<Decoded<T>> valid = new ArrayList<>();
                    for (int i = 0; i < records.size(); i++) {
                        if (decoded.get(i) instanceof RejectedEvent rejected) {
                            dead.add(deadLetter(records.get(i), rejected.getMessage()));
                        } else {
                            @SuppressWarnings("unchecked")
                            Decoded<T> ok = (Decoded<T>) decoded.get(i);
                            valid.add(ok);
                        }
                    }
                    return (dead.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(dead).andFailFast().replaceWithVoid())
                            .replaceWith(valid);
                });
    }

    /**
     * One transaction for one or more events: lock their releases (in order, so batches never deadlock), skip those
     * already processed, run the handler on the others, stage what it emits and record their eventIds.
     */
    private <T extends SpecificRecordBase> Uni<Void> handleAll(String topic, Class<T> type, List<T> events,
            Function<List<T>, Uni<List<SpecificRecordBase>>> handler, Map<UUID, String> carried, String fallback) {
        List<UUID> ids = events.stream().map(EventEnvelope::eventId).toList();
        List<String> releases = events.stream().map(EventEnvelope::releaseId).distinct().sorted().toList();
        java.util.concurrent.atomic.AtomicReference<ReleaseTraces.Handling> tracing = new java.util.concurrent.atomic.AtomicReference<>(
                ReleaseTraces.Handling.NONE);
        return Panache.withTransaction(() -> ReleaseLock.lockAll(releases)
                        .chain(() -> claim(topic, ids))
                        .chain(claimed -> {
                            List<T> fresh = events.stream().filter(e -> claimed.contains(EventEnvelope.eventId(e))).toList();
                            if (fresh.size() < events.size()) {
                                T first = events.stream().filter(e -> !claimed.contains(EventEnvelope.eventId(e))).findFirst().orElseThrow();
                                LOG.infof("%d of %d %s already processed, ignored (e.g. release %s, %s)", events.size() - fresh.size(),
                                        events.size(), type.getSimpleName(), EventEnvelope.releaseId(first), EventEnvelope.eventId(first));
                            }
                            if (fresh.isEmpty()) {
                                return Uni.createFrom().item(new Handled<T>(fresh, List.of()));
                            }
                            // each event handled in a span of its record's trace; what the handler emits goes out in it
                            return traces.begin(topic, fresh, carried, fallback).invoke(tracing::set)
                                    .chain(handling -> Uni.createFrom().deferred(() -> handler.apply(fresh))
                                            .call(out -> outbox.stage(out, handling::traceparent, fallback))
                                            .map(out -> new Handled<>(fresh, out)));
                        })
                        .invoke(this::haltIfAsked))
                .onTermination().invoke((handled, failure, cancelled) -> tracing.get().end(failure))
                .invoke(handled -> {
                    if (events.size() > 1) {
                        LOG.infof("%s: %d %s handled in one transaction -> %d events", topic, events.size(), type.getSimpleName(),
                                handled.emitted().size());
                    }
                    committed(topic, handled);
                })
                .replaceWithVoid();
    }

    /**
     * Records the eventIds as processed (table processed_event), in one statement, and returns those that were not
     * recorded before: the others were handled by an earlier transaction. Rolled back with the handler's work.
     */
    private static Uni<java.util.Set<UUID>> claim(String topic, List<UUID> ids) {
        return Panache.getSession().chain(session -> session.createNativeQuery("insert into processed_event (event_id, topic, processed_at) "
                        + "select id, ?1, now() from unnest(cast(?2 as uuid[])) as id on conflict (event_id) do nothing returning event_id", UUID.class)
                .setParameter(1, topic)
                .setParameter(2, ids.toArray(new UUID[0]))
                .getResultList())
                .map(java.util.Set::copyOf);
    }

    /** A handler of one event at a time, as a handler of several: each in turn, with a log line each. */
    private static <T extends SpecificRecordBase> Function<List<T>, Uni<List<SpecificRecordBase>>> eachOf(
            Function<T, Uni<List<SpecificRecordBase>>> handler) {
        return events -> InOrder.map(events, event -> handler.apply(event).invoke(out -> log(event, out)))
                .map(outs -> outs.stream().<SpecificRecordBase>flatMap(List::stream).toList());
    }

    private <T extends SpecificRecordBase> Uni<Void> handle(ConsumerRecord<String, byte[]> record, Class<T> type, T event,
            Function<List<T>, Uni<List<SpecificRecordBase>>> handler) {
        UUID eventId = EventEnvelope.eventId(event);
        String traceparent = ReleaseTraces.of(record.headers());
        Map<UUID, String> carried = traceparent == null ? Map.of() : Map.of(eventId, traceparent);
        return retrying(record.topic(), () -> handleAll(record.topic(), type, List.of(event), handler, carried, null), ATTEMPTS)
                .onFailure(RejectedEvent.class).recoverWithUni(e -> deadLetter(record, e.getMessage()))
                // a record that keeps failing while everything answers is parked with the reason rather than blocking its
                // partition for good
                .onFailure().recoverWithUni(e -> deadLetter(record, "processing " + type.getSimpleName() + " " + eventId + " failed "
                        + ATTEMPTS + " times while PostgreSQL and the registry answered: " + e));
    }

    /** How long decoding may take (a registry look-up with no answer): after it, the record waits and is tried again. */
    static final java.time.Duration DECODE_LIMIT = java.time.Duration.ofSeconds(30);

    private static DependencyUnavailable late(String topic) {
        return new DependencyUnavailable("decoding a record of " + topic + " gave no answer within " + DECODE_LIMIT.toSeconds()
                + " s (the schema registry does not answer)", null);
    }

    /**
     * Runs {@code work} until it succeeds or fails with a {@link RejectedEvent}. After any other failure it asks whether
     * a dependency is down: if so, it waits (with back-off up to 5 s) and tries again, however long that takes, and
     * the attempt does not count; if not, the failure counts, and the {@code attempts}-th one is returned.
     */
    private <X> Uni<X> retrying(String channel, java.util.function.Supplier<Uni<X>> work, int attempts) {
        return attempt(channel, work, attempts, 1, 0);
    }

    private <X> Uni<X> attempt(String channel, java.util.function.Supplier<Uni<X>> work, int attempts, int attempt, int waits) {
        return Uni.createFrom().<X>deferred(work::get)
                .invoke(ignored -> {
                    if (waits > 0) {
                        dependencies.available(channel);
                    }
                })
                .onFailure(e -> !(e instanceof RejectedEvent)).recoverWithUni(e -> (e instanceof DependencyUnavailable down
                        ? Uni.createFrom().item(down.getMessage()) : dependencies.unavailable()).chain(down -> {
                            if (down != null) {
                                dependencies.waitingFor(channel, down);
                                return OffLoop.sleep(backOff(waits))
                                        .chain(() -> attempt(channel, work, attempts, attempt, waits + 1));
                            }
                            if (attempt >= attempts) {
                                return Uni.createFrom().failure(e);
                            }
                            LOG.warnf("%s: attempt %d of %d failed, trying again: %s", channel, attempt, attempts, e.toString());
                            return OffLoop.sleep(backOff(attempt - 1))
                                    .chain(() -> attempt(channel, work, attempts, attempt + 1, waits));
                        }));
    }

    /** 200 ms, doubling up to 5 s. */
    private static Duration backOff(int retry) {
        return Duration.ofMillis(Math.min(5_000, 200L << Math.min(retry, 5)));
    }

    /** What a consume transaction did: the events new to it, and those it emitted. */
    private record Handled<T extends SpecificRecordBase>(List<T> consumed, List<SpecificRecordBase> emitted) {
    }

    private void committed(String topic, Handled<?> handled) {
        if (!handled.emitted().isEmpty()) {
            relay.wake();
        }
        afterCommit.fire(new EventsCommitted(topic, handled.consumed(), handled.emitted().size()));
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

    /**
     * What an event led to: at INFO when it emitted something; an event that asked for nothing (most step events and
     * verdicts, to most services) at DEBUG, so a busy service's log carries what happened rather than a line per record.
     */
    private static void log(SpecificRecordBase event, List<SpecificRecordBase> out) {
        if (out.isEmpty()) {
            if (LOG.isDebugEnabled()) {
                LOG.debugf("Release %s: %s %s -> nothing to emit", EventEnvelope.releaseId(event), event.getSchema().getName(),
                        EventEnvelope.eventId(event));
            }
            return;
        }
        LOG.infof("Release %s: %s %s -> %s", EventEnvelope.releaseId(event), event.getSchema().getName(), EventEnvelope.eventId(event),
                out.stream().map(e -> e.getSchema().getName()).collect(Collectors.joining(", ")));
    }
}
