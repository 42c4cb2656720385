package io.deploystage.planner.domain;

/** The assessed risk of a release, its class, and why. */
public record RiskAssessment(RiskClass riskClass, RiskLevel level, String rationale) {

    /**
     * Step 1.3: migrations are high risk (destructive ones very high), infrastructure medium, code-only lower, flag-only
     * the safest; warnings from the gates raise the level by one.
     * Example: an additive migration with one accepted security finding is HIGH raised to VERY_HIGH.
     */
    public static RiskAssessment assess(ChangeProfile profile, int gateWarnings) {
        RiskClass riskClass;
        if (profile.dbMigration() == DbMigration.DESTRUCTIVE) {
            riskClass = RiskClass.DESTRUCTIVE_MIGRATION;
        } else if (profile.dbMigration() == DbMigration.ADDITIVE) {
            riskClass = RiskClass.DB_MIGRATION;
        } else if (profile.infrastructureChanges()) {
            riskClass = RiskClass.INFRASTRUCTURE;
        } else if (profile.usesFlags()) {
            riskClass = RiskClass.FLAG_ONLY;
        } else {
            riskClass = RiskClass.CODE_ONLY;
        }
        RiskLevel level = gateWarnings > 0 ? riskClass.level().raised() : riskClass.level();
        String rationale = "The release carries " + riskClass.description() + "."
                + (gateWarnings > 0 ? " The gates passed with " + gateWarnings + " warning" + (gateWarnings == 1 ? "" : "s")
                        + ", which raises the risk from " + riskClass.level() + " to " + level + "." : "");
        return new RiskAssessment(riskClass, level, rationale);
    }
}
