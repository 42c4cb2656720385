package io.deploystage.platform.outbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.deploystage.platform.config.PlatformConfig;
import io.deploystage.platform.runtime.PeriodicTask;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Publishes committed outbox entries to Kafka in commit order and deletes each once the broker has acknowledged
 * it. A crash between the acknowledgement and the delete publishes the entry again with the same eventId, which
 * idempotent consumers ignore: at-least-once on the wire, exactly-once in effect.
 */
@ApplicationScoped
public class OutboxRelay {

    public static final String EVENT_ID_HEADER = "event-id";
    public static final String EVENT_TYPE_HEADER = "event-type";

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final MutinyEmitter<SpecificRecordBase> emitter;
    private final PlatformConfig config;
    private PeriodicTask task;

    OutboxRelay(@Channel("outbox") MutinyEmitter<SpecificRecordBase> emitter, PlatformConfig config) {
        this.emitter = emitter;
        this.config = config;
    }

    void start(@Observes StartupEvent startup, io.vertx.mutiny.core.Vertx vertx) {
        task = PeriodicTask.start("Outbox relay", vertx.getDelegate(), config.outbox().pollInterval(), this::relay);
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
    }

    /** One relay pass: publish what is committed, oldest first, and forget what the broker acknowledged. */
    Uni<Void> relay() {
        if (config.fault().holdOutbox()) {
            return Uni.createFrom().voidItem();
        }
        Context context = Vertx.currentContext();
        return Panache.withSession(() -> OutboxEntry.<OutboxEntry>find("order by seq").page(0, config.outbox().batchSize()).list())
                .chain(entries -> publish(entries, context))
                .chain(published -> published.isEmpty() ? Uni.createFrom().voidItem()
                        : Panache.withTransaction(() -> OutboxEntry.delete("eventId in ?1", published)).replaceWithVoid())
                .replaceWithVoid();
    }

    /**
     * Sends the whole page at once, in commit order (the idempotent producer keeps that order per partition), and
     * waits for every acknowledgement; returns the ids the broker acknowledged. Waiting for each acknowledgement in
     * turn held the relay to a few hundred events per second, and the announcements of a busy service behind it.
     */
    private Uni<List<UUID>> publish(List<OutboxEntry> entries, Context context) {
        if (entries.isEmpty()) {
            return Uni.createFrom().item(new ArrayList<UUID>());
        }
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Uni<UUID>> sends = entries.stream().map(entry -> send(entry).replaceWith(entry.eventId)
                .onFailure().recoverWithItem(e -> {
                    failures.add(e);
                    return null;
                })).toList();
        return Uni.join().all(sends).andFailFast()
                .map(ids -> {
                    List<UUID> published = ids.stream().filter(java.util.Objects::nonNull).toList();
                    if (!failures.isEmpty()) {
                        LOG.warnf("Published %d of %d events; the others stay in the outbox for the next pass: %s", published.size(),
                                entries.size(), failures.get(0).toString());
                    }
                    return published;
                })
                .emitOn(task -> context.runOnContext(ignored -> task.run()));
    }

    private Uni<Void> send(OutboxEntry entry) {
        SpecificRecordBase event = Outbox.decode(entry);
        RecordHeaders headers = new RecordHeaders();
        headers.add(EVENT_ID_HEADER, entry.eventId.toString().getBytes(StandardCharsets.UTF_8));
        headers.add(EVENT_TYPE_HEADER, event.getSchema().getName().getBytes(StandardCharsets.UTF_8));
        var metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(entry.topic)
                .withKey(entry.messageKey)
                .withHeaders(headers)
                .build();
        return emitter.sendMessage(Message.of(event).addMetadata(metadata))
                .invoke(() -> LOG.debugf("Published %s %s to %s", event.getSchema().getName(), entry.eventId, entry.topic));
    }
}
