package io.deploystage.platform.outbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.deploystage.events.CloudEventHeaders;
import io.deploystage.events.EventResult;
import io.deploystage.platform.config.PlatformConfig;
import io.deploystage.platform.runtime.InOrder;
import io.deploystage.platform.runtime.PeriodicTask;
import io.deploystage.platform.runtime.PgNotifications;
import io.deploystage.platform.tracing.ReleaseTraces;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheQuery;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Publishes committed outbox entries to Kafka in commit order and deletes each once the broker has acknowledged
 * it; in one instance of the service at a time. A crash between the acknowledgement and the delete publishes the entry again with the same eventId, which
 * idempotent consumers ignore: at-least-once on the wire, exactly-once in effect.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final MutinyEmitter<SpecificRecordBase> emitter;
    private final PlatformConfig config;
    private final String service;
    private final MeterRegistry meters;
    private final ReleaseTraces traces;
    private final PgNotifications notifications;
    /** Rows waiting to be published, and how long the oldest has waited (read every 15 s). */
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestAgeSeconds = new AtomicLong();
    private PeriodicTask task;
    private PeriodicTask gauges;

    OutboxRelay(@Channel("outbox") MutinyEmitter<SpecificRecordBase> emitter, PlatformConfig config,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.application.name") String service, MeterRegistry meters,
            ReleaseTraces traces, PgNotifications notifications) {
        this.emitter = emitter;
        this.notifications = notifications;
        this.traces = traces;
        this.config = config;
        this.service = service;
        this.meters = meters;
        meters.gauge("deploystage.outbox.backlog", backlog, AtomicLong::get);
        meters.gauge("deploystage.outbox.oldest.age.seconds", oldestAgeSeconds, AtomicLong::get);
    }

    void start(@Observes StartupEvent startup, io.vertx.mutiny.core.Vertx vertx) {
        task = PeriodicTask.start("Outbox relay", vertx.getDelegate(), config.outbox().pollInterval(), this::relay);
        // a commit that staged events notifies 'outbox' (a trigger of the table): whichever instance wrote them, and
        // whichever way in (a consumer, an API call, a periodic pass), the relay publishes at once; on (re)subscribing
        // it reads what was committed meanwhile
        notifications.listen(CHANNEL, new PgNotifications.Listener() {
            @Override
            public void notified(String payload) {
                wake();
            }

            @Override
            public void subscribed() {
                wake();
            }
        });
        gauges = PeriodicTask.start("Outbox gauges", vertx.getDelegate(), java.time.Duration.ofSeconds(15), this::measure);
    }

    /** Publishes what was just committed without waiting for the next poll. */
    public void wake() {
        if (task != null) {
            task.trigger();
        }
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (task != null) {
            task.stop();
        }
        if (gauges != null) {
            gauges.stop();
        }
    }

    /** The backlog gauges: one cheap read of the outbox table. */
    Uni<Void> measure() {
        return Panache.withSession(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                        "select count(*), coalesce(extract(epoch from now() - min(created_at)), 0) from outbox").getSingleResult()))
                .invoke(row -> {
                    Object[] values = (Object[]) row;
                    backlog.set(((Number) values[0]).longValue());
                    oldestAgeSeconds.set(((Number) values[1]).longValue());
                })
                .replaceWithVoid();
    }

    /** One relay pass: publish what is committed, oldest first, and forget what the broker acknowledged. */
    Uni<Void> relay() {
        Context context = Vertx.currentContext();
        // one relay per service at a time: the pass runs under a transaction-scoped advisory lock, and an instance that
        // does not get it leaves the pass to the one that has it (two relays would publish the same rows, and could put
        // a release's events out of order). An instance frozen in its pass (a stopped or paused JVM) would hold the lock,
        // and every instance's publishing, until it woke: PostgreSQL ends a pass's session idle in its transaction for
        // longer than RELAY_IDLE_LIMIT, which frees the lock (a pass cut so is made again; consumers drop the repeats)
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                                "select pg_try_advisory_xact_lock(" + RELAY_LOCK + ", 0) from (select set_config("
                                        + "'idle_in_transaction_session_timeout', '" + RELAY_IDLE_LIMIT + "', true)) as limited", Boolean.class)
                        .getSingleResult())
                        .chain(relaying -> !relaying ? Uni.createFrom().voidItem()
                                : pending().page(0, config.outbox().batchSize()).list()
                                        .chain(entries -> publish(entries, context))
                                        .invoke(pass -> {
                                            if (pass.published().size() + pass.parked().size() == config.outbox().batchSize()) {
                                                wake(); // a full page went out: the rest follows at once, not at the next poll
                                            }
                                        })
                                        .chain(pass -> park(pass.parked()).chain(() -> pass.published().isEmpty() ? Uni.createFrom().voidItem()
                                                : OutboxEntry.delete("eventId in ?1", pass.published()).replaceWithVoid()))))
                .replaceWithVoid();
    }

    /** The committed entries, oldest first; with the test fault armed, less the entries of the releases it names. */
    private PanacheQuery<OutboxEntry> pending() {
        return config.fault().holdOutboxFor()
                .map(prefix -> OutboxEntry.<OutboxEntry>find("messageKey not like ?1 order by seq", prefix + "%"))
                .orElseGet(() -> OutboxEntry.find("order by seq"));
    }

    /** What a pass did: the events the broker acknowledged, and the rows that can never be published, with why. */
    private record Pass(List<UUID> published, List<Parked> parked) {
    }

    private record Parked(OutboxEntry entry, String reason) {
    }

    /** Moves rows that can never be published to outbox_parked with the reason, so the relay goes on with the rest. */
    private Uni<Void> park(List<Parked> parked) {
        return InOrder.run(parked, this::parkOne);
    }

    private Uni<Void> parkOne(Parked p) {
        LOG.errorf("Outbox: %s %s for release %s can never be published and is parked in outbox_parked: %s", p.entry().eventType,
                p.entry().eventId, p.entry().messageKey, p.reason());
        return Panache.getSession().chain(session -> session.createNativeQuery("insert into outbox_parked (event_id, seq, topic, message_key, "
                        + "event_type, payload, writer_schema, traceparent, reason, created_at, parked_at) select event_id, seq, topic, message_key, "
                        + "event_type, payload, writer_schema, traceparent, ?2, created_at, now() from outbox where event_id = ?1 on conflict (event_id) do nothing")
                .setParameter(1, p.entry().eventId).setParameter(2, p.reason()).executeUpdate()
                .chain(() -> session.createNativeQuery("delete from outbox where event_id = ?1").setParameter(1, p.entry().eventId).executeUpdate())).replaceWithVoid();
    }

    /** A failure no retry can mend: the record is larger than the producer or broker accepts. */
    private static boolean tooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.apache.kafka.common.errors.RecordTooLargeException) {
                return true;
            }
        }
        return false;
    }

    /** How long a relay pass's transaction may wait idle (for the broker's acknowledgements, say) before PostgreSQL ends it. */
    private static final String RELAY_IDLE_LIMIT = "15s";

    /** The channel the outbox table's trigger notifies (db/platform/V1_4__outbox_notify.sql). */
    static final String CHANNEL = "outbox";

    /** The relay's advisory lock, in the two-key space (release locks use the one-key space, so they never collide): "outb". */
    private static final int RELAY_LOCK = 0x6f757462;

    /**
     * Sends the page release by release: the events of one release (the message key), whatever their topics, one
     * after another in commit order, stopping at the first that fails so none overtakes it; the releases side by side. Returns the ids the broker
     * acknowledged. Waiting for each acknowledgement across the whole page held the relay to a few hundred events per
     * second, and the announcements of a busy service minutes behind.
     */
    private Uni<Pass> publish(List<OutboxEntry> entries, Context context) {
        if (entries.isEmpty()) {
            return Uni.createFrom().item(new Pass(List.of(), List.of()));
        }
        Map<String, List<OutboxEntry>> byKey = new LinkedHashMap<>();
        entries.forEach(entry -> byKey.computeIfAbsent(entry.messageKey, k -> new ArrayList<>()).add(entry));
        List<UUID> published = Collections.synchronizedList(new ArrayList<>());
        List<Parked> parked = Collections.synchronizedList(new ArrayList<>());
        List<Uni<Void>> sequences = byKey.values().stream().map(sequence -> InOrder.run(sequence, entry -> publishOne(entry, published, parked))).toList();
        return Uni.join().all(sequences).andCollectFailures()
                .replaceWith(() -> new Pass(List.copyOf(published), List.copyOf(parked)))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("Published %d of %d events; the others stay in the outbox for the next pass: %s", published.size(),
                            entries.size(), e.toString());
                    return new Pass(List.copyOf(published), List.copyOf(parked));
                })
                .emitOn(task -> context.runOnContext(ignored -> task.run()));
    }

    /** Sends one entry of a release's sequence; one that can never be published is noted to be parked, and the sequence goes on. */
    private Uni<Void> publishOne(OutboxEntry entry, List<UUID> published, List<Parked> parked) {
        SpecificRecordBase event;
        try {
            event = Outbox.decode(entry);
        } catch (IllegalStateException unreadable) {
            parked.add(new Parked(entry, unreadable.getMessage()));
            return Uni.createFrom().voidItem();
        }
        return send(entry, event).invoke(() -> published.add(entry.eventId))
                .onFailure(OutboxRelay::tooLarge).recoverWithItem(e -> {
                    parked.add(new Parked(entry, "larger than the broker accepts: " + e.getMessage()));
                    return null;
                });
    }

    private Uni<Void> send(OutboxEntry entry, SpecificRecordBase event) {
        RecordHeaders headers = new RecordHeaders();
        CloudEventHeaders.of(event, service).forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        // the trace goes on: a "publish" span under the one the event was staged in, sent as the record's traceparent
        io.opentelemetry.api.trace.Span span = traces.publishing(entry.traceparent, entry.topic, entry.eventId, entry.messageKey);
        if (span != null) {
            headers.add(ReleaseTraces.TRACEPARENT, ReleaseTraces.traceparent(span.getSpanContext()).getBytes(StandardCharsets.UTF_8));
        }
        var metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(entry.topic)
                .withKey(entry.messageKey)
                .withHeaders(headers)
                .build();
        return emitter.sendMessage(Message.of(event).addMetadata(metadata))
                .onTermination().invoke((ignored, failure, cancelled) -> {
                    if (span != null) {
                        if (failure != null) {
                            span.recordException(failure);
                            span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR);
                        }
                        span.end();
                    }
                })
                .invoke(() -> {
                    LOG.debugf("Published %s %s to %s", event.getSchema().getName(), entry.eventId, entry.topic);
                    // what each service put out, by type and result: verdicts by result, outcomes (rollbacks), failed deliveries …
                    meters.counter("deploystage.events.published", "type", event.getSchema().getName(), "result", EventResult.of(event)).increment();
                });
    }
}
