package io.deploystage.executor.application;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.deploystage.executor.config.ExecutorConfig;
import io.deploystage.executor.persistence.DeploymentEntity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Which executor instance drives which deployment. A deployment is driven only under its lease: a row-level claim
 * ({@code driver}, {@code lease_until}, {@code lease_token}) taken with one conditional update, renewed by this
 * instance's heartbeat, and free again when it lapses (the driver died) or is released (the deployment paused or
 * ended). Every takeover raises the fencing token; a driver checks its token under the deployment's lock before it
 * starts a step and before it records one, so a driver that lost its lease (it stalled longer than the lease, and
 * another took over) writes nothing more. Times are the database's, so the instances' clocks need not agree.
 */
@ApplicationScoped
public class DeploymentLeases {

    private static final Logger LOG = Logger.getLogger(DeploymentLeases.class);

    /**
     * This instance as it signs its leases: its host and HTTP port, which no two live instances share. A process
     * restarted in its place (after a kill -9, say) is the same driver and picks its deployments up at once; any other
     * instance waits for the lease to lapse.
     */
    private final String me;
    private final Duration ttl;
    /** The leases this instance holds: deployment → fencing token. */
    private final Map<UUID, Long> held = new ConcurrentHashMap<>();

    DeploymentLeases(ExecutorConfig config, @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.port") int port) {
        this.ttl = config.leaseTtl();
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "executor";
        }
        this.me = host + ":" + port;
    }

    public String me() {
        return me;
    }

    public Duration ttl() {
        return ttl;
    }

    /**
     * Takes the lease of each deployment that has no live one (or already is this instance's), in one statement; returns
     * those taken, with their fencing tokens.
     */
    Uni<Map<UUID, Long>> acquire(List<UUID> deployments) {
        if (deployments.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                        "update deployment set lease_token = lease_token + (case when driver = ?1 then 0 else 1 end), driver = ?1, "
                                + "lease_until = now() + make_interval(secs => ?2) "
                                + "where deployment_id = any(?3) and (driver is null or driver = ?1 or lease_until is null or lease_until < now()) "
                                + "returning deployment_id, lease_token", Object[].class)
                .setParameter(1, me)
                .setParameter(2, (double) ttl.toMillis() / 1000)
                .setParameter(3, deployments.toArray(new UUID[0]))
                .getResultList()))
                .map(rows -> {
                    Map<UUID, Long> taken = new java.util.HashMap<>();
                    for (Object[] row : rows) {
                        UUID id = (UUID) row[0];
                        long token = ((Number) row[1]).longValue();
                        Long before = held.put(id, token);
                        if (before == null && token > 1) {
                            LOG.infof("Deployment %s: taken over by %s (fencing token %d): its driver's lease had lapsed", id, me, token);
                        }
                        taken.put(id, token);
                    }
                    return taken;
                });
    }

    /** Whether this instance still holds the deployment with this token (read under the deployment's lock). */
    boolean holds(DeploymentEntity deployment, long token) {
        return me.equals(deployment.driver) && deployment.leaseToken == token;
    }

    /** The heartbeat: renews every lease held; returns those lost meanwhile (another instance took them over). */
    Uni<List<UUID>> renew() {
        if (held.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<UUID> mine = new ArrayList<>(held.keySet());
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                        "update deployment set lease_until = now() + make_interval(secs => ?2) where deployment_id = any(?3) and driver = ?1 "
                                + "returning deployment_id", UUID.class)
                .setParameter(1, me)
                .setParameter(2, (double) ttl.toMillis() / 1000)
                .setParameter(3, mine.toArray(new UUID[0]))
                .getResultList()))
                .map(renewed -> {
                    List<UUID> lost = mine.stream().filter(id -> !renewed.contains(id) && held.containsKey(id)).toList();
                    lost.forEach(id -> {
                        held.remove(id);
                        LOG.warnf("Deployment %s: lease lost by %s (another instance drives it now)", id, me);
                    });
                    return lost;
                });
    }

    /** The driver stopped (the deployment paused, ended or was lost): the lease is free for whichever instance comes next. */
    Uni<Void> release(UUID deploymentId, long token) {
        held.remove(deploymentId);
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                        "update deployment set lease_until = null where deployment_id = ?1 and driver = ?2 and lease_token = ?3")
                .setParameter(1, deploymentId)
                .setParameter(2, me)
                .setParameter(3, token)
                .executeUpdate()))
                .replaceWithVoid();
    }
}
