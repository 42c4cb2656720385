package io.deploystage.planner.domain;

/** The spec's complexity classes (Step 1.3), safest last. */
public enum RiskClass {
    DESTRUCTIVE_MIGRATION(RiskLevel.VERY_HIGH, "a destructive database migration: cannot be rolled back without data loss"),
    DB_MIGRATION(RiskLevel.HIGH, "a database migration: high risk, harder to roll back"),
    INFRASTRUCTURE(RiskLevel.MEDIUM, "infrastructure changes: medium risk, tested in staging"),
    CODE_ONLY(RiskLevel.LOW, "code-only changes: lower risk, the rollback is still planned"),
    FLAG_ONLY(RiskLevel.LOW, "changes behind feature flags: the safest, toggled without a redeploy");

    private final RiskLevel level;
    private final String description;

    RiskClass(RiskLevel level, String description) {
        this.level = level;
        this.description = description;
    }

    public RiskLevel level() {
        return level;
    }

    public String description() {
        return description;
    }
}
