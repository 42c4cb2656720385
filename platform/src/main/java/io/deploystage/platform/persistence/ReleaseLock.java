package io.deploystage.platform.persistence;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Serialises the transactions of one release within a service: events of a release arrive on several topics and
 * through the API concurrently, and each must see what the previous one committed. Held until the transaction ends.
 */
public final class ReleaseLock {

    private ReleaseLock() {
    }

    /** Must be called inside a transaction. */
    public static Uni<Void> lock(String releaseId) {
        return lockAll(java.util.List.of(releaseId));
    }

    /**
     * Locks several releases with one statement, in the order of their lock keys, so two transactions locking
     * overlapping sets never deadlock. Must be called inside a transaction.
     */
    public static Uni<Void> lockAll(java.util.Collection<String> releaseIds) {
        if (releaseIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Panache.getSession().chain(session -> session.createNativeQuery("select count(pg_advisory_xact_lock(k)) from "
                        + "(select distinct hashtext(r) as k from unnest(cast(?1 as text[])) as r order by k) as keys")
                .setParameter(1, releaseIds.toArray(new String[0]))
                .getSingleResult())
                .replaceWithVoid();
    }
}
