package io.deploystage.executor.application;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.deploystage.executor.domain.flags.Flag;
import io.deploystage.platform.runtime.PgNotifications;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/**
 * Flags as OFREP evaluations read them, kept in memory. Every change to the store sends a PostgreSQL notification
 * ({@code flag_changed}) when it commits, and every executor instance drops that flag at once, so a kill still applies
 * to the next evaluation everywhere. While the listener is not connected (at start, after a lost connection) the
 * cache is bypassed and every evaluation reads the store; on (re)connection the whole cache is dropped, since
 * notifications may have been missed.
 */
@ApplicationScoped
public class FlagCache {

    public static final String CHANNEL = "flag_changed";
    private static final Logger LOG = Logger.getLogger(FlagCache.class);

    private final FlagStore store;
    private final PgNotifications notifications;
    private final Map<String, Optional<Flag>> flags = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean listening;
    /** Most flags (and unknown keys) kept: evaluations of random keys cannot grow the cache without end. */
    private final int maxEntries;

    FlagCache(FlagStore store, PgNotifications notifications, io.deploystage.executor.config.ExecutorConfig config) {
        this.maxEntries = config.flags().cacheEntries();
        this.store = store;
        this.notifications = notifications;
    }

    /**
     * Listens for changes. While the listener is not subscribed (at start, after a lost connection, when notifications
     * sent meanwhile are lost) the cache is bypassed and emptied.
     */
    void start(@Observes StartupEvent ignored) {
        notifications.listen(CHANNEL, new PgNotifications.Listener() {
            @Override
            public void notified(String key) {
                invalidate(key);
            }

            @Override
            public void subscribed() {
                invalidateAll();
                listening = true;
                LOG.info("Flag change listener subscribed: OFREP evaluations are served from memory");
            }

            @Override
            public void lost() {
                if (listening) {
                    LOG.warn("Flag change listener disconnected: evaluations read the store until it reconnects");
                }
                listening = false;
                invalidateAll();
            }
        });
    }

    /** The flag, or null when it is not defined. */
    public Uni<Flag> get(String key) {
        Optional<Flag> cached = listening ? flags.get(key) : null;
        if (cached != null) {
            return Uni.createFrom().item(cached.orElse(null));
        }
        long seen = generation.get();
        return Panache.withSession(() -> store.find(key)).invoke(flag -> {
            // a change committed while we read is not cached over
            if (listening && generation.get() == seen) {
                if (flags.size() >= maxEntries) {
                    flags.clear(); // full: start again from what is asked now (a read of the store per flag to refill)
                }
                flags.put(key, Optional.ofNullable(flag));
            }
        });
    }

    /** How many flags (and unknown keys) are kept now. */
    public int size() {
        return flags.size();
    }

    public void invalidate(String key) {
        generation.incrementAndGet();
        flags.remove(key);
    }

    void invalidateAll() {
        generation.incrementAndGet();
        flags.clear();
    }
}
