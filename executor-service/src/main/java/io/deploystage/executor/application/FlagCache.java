package io.deploystage.executor.application;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.deploystage.executor.domain.flags.Flag;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;

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
    private final Vertx vertx;
    private final String url;
    private final String user;
    private final String password;
    private final Map<String, Optional<Flag>> flags = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean listening;
    /** Most flags (and unknown keys) kept: evaluations of random keys cannot grow the cache without end. */
    private final int maxEntries;
    private volatile PgSubscriber subscriber;

    FlagCache(FlagStore store, Vertx vertx, @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user, @ConfigProperty(name = "quarkus.datasource.password") String password,
            io.deploystage.executor.config.ExecutorConfig config) {
        this.maxEntries = config.flags().cacheEntries();
        this.store = store;
        this.vertx = vertx;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    void start(@Observes StartupEvent ignored) {
        connect(PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", "")).setUser(user).setPassword(password));
    }

    /**
     * Connects a listener. A lost connection is retried every second by the subscriber itself; until it is subscribed
     * again the cache is bypassed and emptied (notifications sent meanwhile are lost). A first connection that fails
     * is retried with a new subscriber.
     */
    private void connect(PgConnectOptions options) {
        PgSubscriber candidate = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> {
            if (listening) {
                LOG.warn("Flag change listener disconnected: evaluations read the store until it reconnects");
            }
            listening = false;
            invalidateAll();
            return 1000L;
        });
        candidate.channel(CHANNEL).subscribeHandler(v -> {
            invalidateAll();
            listening = true;
            LOG.info("Flag change listener subscribed: OFREP evaluations are served from memory");
        }).handler(this::invalidate);
        candidate.closeHandler(v -> listening = false);
        candidate.connect().onSuccess(v -> subscriber = candidate).onFailure(e -> {
            LOG.warnf("Flag change listener cannot connect (%s); retrying in 1 s, evaluations read the store meanwhile", e.getMessage());
            candidate.close();
            vertx.setTimer(1000, t -> connect(options));
        });
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (subscriber != null) {
            subscriber.close();
        }
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
