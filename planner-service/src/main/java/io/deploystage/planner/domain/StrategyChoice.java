package io.deploystage.planner.domain;

/** The chosen strategy, why, and whether a senior engineer must approve before production. */
public record StrategyChoice(Strategy strategy, String rationale, boolean seniorApproval) {

    /**
     * The spec's guidelines (Step 3), first match wins:
     * <ol>
     * <li>database migrations: always blue/green or canary, never direct (canary when users see the change);</li>
     * <li>hotfix for an active incident: direct deploy, with a senior engineer's approval step;</li>
     * <li>user-facing with unknown impact: feature flag when the release has flags, else canary;</li>
     * <li>backend-only and thoroughly tested (the gates passed): rolling.</li>
     * </ol>
     * A hotfix that carries a migration still gets blue/green or canary, and keeps the senior approval.
     */
    public static StrategyChoice choose(ChangeProfile profile, RiskAssessment risk) {
        if (profile.hasMigration()) {
            Strategy strategy = profile.userFacing() ? Strategy.CANARY : Strategy.BLUE_GREEN;
            return new StrategyChoice(strategy, "Database migrations are always deployed blue/green or canary, never directly: "
                    + (strategy == Strategy.CANARY ? "canary, because users see the change and a small share of traffic shows its impact first."
                            : "blue/green, so the old environment stays warm and traffic can be switched back instantly.")
                    + (profile.hotfix() ? " This is a hotfix for incident " + profile.incidentId()
                            + ": a senior engineer approves before production." : "") + " " + risk.rationale(), profile.hotfix());
        }
        if (profile.hotfix()) {
            return new StrategyChoice(Strategy.DIRECT, "Hotfix for active incident " + profile.incidentId()
                    + ": direct deploy of all instances at once, with a senior engineer's eyes on it (explicit approval step). "
                    + risk.rationale(), true);
        }
        if (profile.userFacing()) {
            if (profile.usesFlags()) {
                return new StrategyChoice(Strategy.FEATURE_FLAG, "User-facing change with unknown impact behind feature flag(s) "
                        + String.join(", ", profile.featureFlags()) + ": deploy dark, enable for internal users, then 1% → 5% → 25% → 100%"
                        + " with a kill switch. " + risk.rationale(), false);
            }
            return new StrategyChoice(Strategy.CANARY, "User-facing change with unknown impact: canary, routing a growing share of traffic"
                    + " to the new version with a health check at each step. " + risk.rationale(), false);
        }
        return new StrategyChoice(Strategy.ROLLING, "Backend-only change that passed review, tests and security: rolling deploy,"
                + " one instance at a time. " + risk.rationale(), false);
    }
}
