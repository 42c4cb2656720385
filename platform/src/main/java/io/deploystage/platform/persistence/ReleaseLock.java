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

    /**
     * Locks several releases with one statement, in the order of their ids, so two transactions locking overlapping
     * sets never deadlock. Must be called inside a transaction.
     */
    public static Uni<Void> lockAll(java.util.Collection<String> releaseIds) {
        java.util.List<String> sorted = releaseIds.stream().distinct().sorted().toList();
        if (sorted.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        StringBuilder values = new StringBuilder();
        for (int i = 1; i <= sorted.size(); i++) {
            values.append(i > 1 ? ", " : "").append("(cast(?").append(i).append(" as text))");
        }
        return Panache.getSession().chain(session -> {
                    var query = session.createNativeQuery("select count(*) from (select pg_advisory_xact_lock(hashtext(r)) from (select r from (values "
                            + values + ") as v(r) order by r) as ordered) as locked");
                    for (int i = 0; i < sorted.size(); i++) {
                        query.setParameter(i + 1, sorted.get(i));
                    }
                    return query.getSingleResult();
                })
                .replaceWithVoid();
    }
}
