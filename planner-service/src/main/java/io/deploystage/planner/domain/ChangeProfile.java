package io.deploystage.planner.domain;

import java.util.List;

/** What a release changes: the inputs of the risk assessment (spec Step 1.3). */
public record ChangeProfile(DbMigration dbMigration, boolean migrationReversible, boolean infrastructureChanges, boolean userFacing,
        List<String> featureFlags, boolean hotfix, String incidentId, boolean externalApiChange, boolean sendsNotifications) {

    public ChangeProfile {
        featureFlags = List.copyOf(featureFlags);
    }

    public boolean hasMigration() {
        return dbMigration != DbMigration.NONE;
    }

    /** Side effects a rollback cannot undo (spec: escalate to the team lead): a destructive migration, a partner-visible API, messages sent. */
    public boolean unrollable() {
        return dbMigration == DbMigration.DESTRUCTIVE || externalApiChange || sendsNotifications;
    }

    public boolean usesFlags() {
        return !featureFlags.isEmpty();
    }
}
