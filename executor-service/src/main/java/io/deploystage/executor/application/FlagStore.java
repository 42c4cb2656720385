package io.deploystage.executor.application;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;

import io.deploystage.executor.domain.flags.Flag;
import io.deploystage.executor.persistence.FlagEntity;
import io.deploystage.platform.persistence.JsonText;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * The built-in flag store in PostgreSQL. Every change notifies {@link FlagCache#CHANNEL} in its transaction, so every
 * executor instance drops the flag from its evaluation cache as soon as the change commits. Runs inside the caller's
 * session.
 */
@ApplicationScoped
public class FlagStore {

    private static final Logger LOG = Logger.getLogger(FlagStore.class);
    private static final TypeReference<List<String>> KEYS = new TypeReference<>() { };

    public Uni<Flag> find(String key) {
        return FlagEntity.<FlagEntity>findById(key).map(entity -> entity == null ? null : toFlag(entity));
    }

    public Uni<List<Flag>> all() {
        return FlagEntity.<FlagEntity>listAll().map(list -> list.stream().map(FlagStore::toFlag).toList());
    }

    /** Creates or changes a flag; enabling a killed flag revives it. */
    public Uni<Flag> save(Flag flag, String by) {
        return FlagEntity.<FlagEntity>findById(flag.key()).chain(existing -> {
            FlagEntity entity = existing == null ? new FlagEntity() : existing;
            entity.key = flag.key();
            entity.enabled = flag.enabled();
            entity.rolloutPercent = flag.rolloutPercent();
            entity.internalEnabled = flag.internalEnabled();
            entity.internalUsers = JsonText.write(flag.internalUsers());
            if (flag.enabled()) {
                entity.killedAt = null;
                entity.killedBy = null;
            }
            entity.updatedBy = by;
            entity.updatedAt = Instant.now();
            LOG.infof("Flag %s set by %s: enabled=%s internal=%s rollout=%d%%", flag.key(), by, flag.enabled(), flag.internalEnabled(),
                    flag.rolloutPercent());
            return (existing == null ? entity.<FlagEntity>persist() : Uni.createFrom().item(entity)).call(() -> notifyChange(flag.key()))
                    .map(FlagStore::toFlag);
        });
    }

    /** Delivered to every listener when the transaction commits (and not at all if it rolls back). */
    private static Uni<Void> notifyChange(String key) {
        return Panache.getSession().chain(session -> session.createNativeQuery("select pg_notify('" + FlagCache.CHANNEL + "', :key)")
                .setParameter("key", key).getSingleResult()).replaceWithVoid();
    }

    /** The kill switch: off for everyone, at once. Unknown flags are created killed, so they stay off. */
    public Uni<Flag> kill(String key, String by) {
        return FlagEntity.<FlagEntity>findById(key).chain(existing -> {
            FlagEntity entity = existing == null ? new FlagEntity() : existing;
            if (existing == null) {
                entity.key = key;
                entity.internalUsers = "[]";
            }
            entity.enabled = false;
            entity.killedAt = Instant.now();
            entity.killedBy = by;
            entity.updatedBy = by;
            entity.updatedAt = entity.killedAt;
            LOG.warnf("Flag %s KILLED by %s", key, by);
            return (existing == null ? entity.<FlagEntity>persist() : Uni.createFrom().item(entity)).call(() -> notifyChange(key))
                    .map(FlagStore::toFlag);
        });
    }

    static Flag toFlag(FlagEntity entity) {
        return new Flag(entity.key, entity.enabled, entity.internalEnabled, Set.copyOf(JsonText.read(entity.internalUsers, KEYS)),
                entity.rolloutPercent, entity.killedAt != null);
    }
}
