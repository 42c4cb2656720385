package io.deploystage.executor.application;

import java.util.Collection;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.deploystage.platform.runtime.PgNotifications;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/**
 * Tells every executor instance, the moment a transaction commits, what it changed for a deployment: PostgreSQL
 * notifications, sent inside the transaction and delivered only when it commits (never for work rolled back).
 * <ul>
 * <li>{@link #EVIDENCE}: a verdict or an operator's command for the deployment was recorded; its waiting step, on
 * whichever instance drives it, reads it now rather than at its next poll.</li>
 * <li>{@link #MOVED}: the deployment was moved on (a rollback, an abort); the instance driving it checks at once
 * whether its driver's step still stands, rather than at its next heartbeat.</li>
 * </ul>
 * Without the listening connection (PostgreSQL down, say) nothing is lost: the steps' polls and the heartbeat find
 * the same, later ({@link PgNotifications} connects again every second).
 */
@ApplicationScoped
public class DeploymentSignals {

    static final String EVIDENCE = "executor_evidence";
    static final String MOVED = "executor_moved";

    private static final Logger LOG = Logger.getLogger(DeploymentSignals.class);

    private final PgNotifications notifications;
    private final RunningSteps running;
    private final DeploymentEngine engine;

    DeploymentSignals(PgNotifications notifications, RunningSteps running, DeploymentEngine engine) {
        this.notifications = notifications;
        this.running = running;
        this.engine = engine;
    }

    /** Within the caller's transaction: the deployments' waiting steps are to look at their evidence once it commits. */
    static Uni<Void> evidence(Collection<UUID> deploymentIds) {
        return send(EVIDENCE, deploymentIds);
    }

    /** Within the caller's transaction: the deployment was moved on; its driver checks its step once it commits. */
    static Uni<Void> moved(UUID deploymentId) {
        return send(MOVED, List.of(deploymentId));
    }

    private static Uni<Void> send(String channel, Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] payloads = ids.stream().distinct().map(UUID::toString).toArray(String[]::new);
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "select count(*) from (select pg_notify(?1, id) from unnest(cast(?2 as text[])) as id) as sent", Long.class)
                .setParameter(1, channel).setParameter(2, payloads).getSingleResult())
                .replaceWithVoid();
    }

    void start(@Observes StartupEvent ignored) {
        notifications.listen(EVIDENCE, payload -> deployment(payload, running::nudge));
        notifications.listen(MOVED, payload -> deployment(payload, id -> {
            if (running.isDriven(id)) {
                engine.recheck();
            }
        }));
    }

    private static void deployment(String payload, java.util.function.Consumer<UUID> action) {
        try {
            action.accept(UUID.fromString(payload));
        } catch (IllegalArgumentException notAnId) {
            LOG.warnf("Deployment signals: ignored a payload that is not a deployment id (%d chars)", payload.length());
        }
    }
}
