package io.deploystage.executor.domain.flags;

import java.util.Set;

/**
 * A feature flag: off unless enabled; when enabled, on for internal users (if opened to them) and for a stable
 * fraction of everyone else; a killed flag is off for everyone until it is enabled again.
 */
public record Flag(String key, boolean enabled, boolean internalEnabled, Set<String> internalUsers, int rolloutPercent, boolean killed) {

    public Flag {
        internalUsers = Set.copyOf(internalUsers);
        if (rolloutPercent < 0 || rolloutPercent > 100) {
            throw new IllegalArgumentException("rolloutPercent must be between 0 and 100");
        }
    }

    /** A new flag: off by default. */
    public static Flag off(String key) {
        return new Flag(key, false, false, Set.of(), 0, false);
    }
}
