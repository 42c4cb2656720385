package io.deploystage.platform.inbox;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.deploystage.platform.config.PlatformConfig;
import io.deploystage.platform.runtime.PeriodicTask;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Forgets what is only kept for a while: the ids of processed events (processed_event; the monitor records one per
 * metric sample) and the releases' trace contexts (release_trace), once older than {@code deploystage.inbox.retention}.
 * Deletes in batches of {@value #BATCH} rows, one short transaction each, so the consumers' inserts are never held up
 * behind one long delete; every instance may run it (a row deleted twice is deleted once).
 */
@ApplicationScoped
public class InboxRetention {

    private static final Logger LOG = Logger.getLogger(InboxRetention.class);
    static final int BATCH = 10_000;

    private final PlatformConfig config;
    private PeriodicTask task;

    InboxRetention(PlatformConfig config) {
        this.config = config;
    }

    void start(@Observes StartupEvent startup, io.vertx.mutiny.core.Vertx vertx) {
        LOG.infof("Processed event ids are kept %s (deploystage.inbox.retention), checked every %s: a record redelivered later than that is"
                + " processed again, so keep it above the topics' retention", config.inbox().retention(), config.inbox().retentionCheck());
        task = PeriodicTask.start("Inbox retention", vertx.getDelegate(), config.inbox().retentionCheck(), this::pass);
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (task != null) {
            task.stop();
        }
    }

    Uni<Void> pass() {
        return forgetBefore(Instant.now().minus(config.inbox().retention())).invoke(forgotten -> {
            if (forgotten.total() > 0) {
                LOG.infof("Forgot %d processed event ids and %d trace contexts older than %s", forgotten.events(), forgotten.traces(),
                        config.inbox().retention());
            }
        }).replaceWithVoid();
    }

    /** What one pass deleted. */
    public record Forgotten(long events, long traces) {
        long total() {
            return events + traces;
        }
    }

    /** Deletes the processed event ids and trace contexts recorded before {@code cutoff}. */
    public Uni<Forgotten> forgetBefore(Instant cutoff) {
        return deleteAll("processed_event", "event_id", "processed_at", cutoff)
                .chain(events -> deleteAll("release_trace", "release_id", "created_at", cutoff).map(traces -> new Forgotten(events, traces)));
    }

    /** Batch after batch, each in its own transaction, until a batch finds fewer rows than it may take. */
    private static Uni<Long> deleteAll(String table, String key, String column, Instant cutoff) {
        String delete = "delete from " + table + " where " + key + " in (select " + key + " from " + table + " where " + column
                + " < ?1 limit " + BATCH + ")";
        return Multi.createBy().repeating()
                .uni(() -> Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(delete)
                        .setParameter(1, cutoff).executeUpdate())))
                .whilst(deleted -> deleted == BATCH)
                .collect().in(() -> new long[1], (sum, deleted) -> sum[0] += deleted)
                .map(sum -> sum[0]);
    }
}
