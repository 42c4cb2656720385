package io.deploystage.platform.runtime;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;

/**
 * A service's one listening connection to PostgreSQL: notifications (sent with {@code pg_notify} inside a
 * transaction, delivered when it commits) for each channel a bean registered at startup. A lost connection is
 * retried every second; a first connection that fails too. Each listener hears when it is subscribed and when the
 * connection is lost (notifications sent meanwhile are lost: it must read what it missed).
 */
@ApplicationScoped
public class PgNotifications {

    /** What a channel's notifications go to. */
    public interface Listener {
        void notified(String payload);

        /** Subscribed (again): what was sent before is not delivered. */
        default void subscribed() {
        }

        default void lost() {
        }
    }

    private static final Logger LOG = Logger.getLogger(PgNotifications.class);

    private final Vertx vertx;
    private final PgConnectOptions options;
    private final Map<String, Listener> listeners = new ConcurrentHashMap<>();
    private volatile PgSubscriber subscriber;
    private volatile boolean stopped;

    PgNotifications(Vertx vertx, @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user, @ConfigProperty(name = "quarkus.datasource.password") String password) {
        this.vertx = vertx;
        this.options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", "")).setUser(user).setPassword(password);
    }

    /** Registers a channel's listener; call it from a startup observer (the connection is made after them). */
    public void listen(String channel, Listener listener) {
        listeners.put(channel, listener);
    }

    /** After the beans' own startup observers (default priority 2500) have registered their channels. */
    void start(@Observes @Priority(3000) StartupEvent ignored) {
        connect();
    }

    private void connect() {
        PgSubscriber candidate = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> {
            listeners.values().forEach(Listener::lost);
            return stopped ? -1L : 1000L;
        });
        listeners.forEach((channel, listener) -> candidate.channel(channel).subscribeHandler(v -> listener.subscribed()).handler(listener::notified));
        candidate.closeHandler(v -> listeners.values().forEach(Listener::lost));
        candidate.connect().onSuccess(v -> {
            subscriber = candidate;
            LOG.infof("Listening for PostgreSQL notifications on %s", listeners.keySet());
        }).onFailure(e -> {
            candidate.close();
            if (!stopped) {
                LOG.warnf("Cannot listen for PostgreSQL notifications (%s); trying again in 1 s", e.getMessage());
                vertx.setTimer(1000, t -> connect());
            }
        });
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopped = true;
        if (subscriber != null) {
            subscriber.close();
        }
    }
}
