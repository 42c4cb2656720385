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
        return Panache.getSession().chain(session -> session
                        .createNativeQuery("select 1 from (select pg_advisory_xact_lock(hashtext(:releaseId))) as locked")
                        .setParameter("releaseId", releaseId)
                        .getSingleResult())
                .replaceWithVoid();
    }
}
