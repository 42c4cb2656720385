package io.deploystage.planner.domain;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The deployment-checklist and rollback-plan artifacts, in exactly the spec's Output Format (Markdown). */
public final class Artifacts {

    private static final DateTimeFormatter WINDOW = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    private Artifacts() {
    }

    public static String deploymentChecklist(Plan plan) {
        StringBuilder md = new StringBuilder();
        md.append("# Deployment Checklist: ").append(title(plan)).append("\n\n");
        md.append("## Deployment Info\n\n");
        md.append("- **Version**: ").append(text(plan.version())).append(" (commit ").append(text(plan.commit())).append(")\n");
        md.append("- **Environment**: production (after staging)\n");
        md.append("- **Strategy**: ").append(plan.strategy().label()).append("\n");
        md.append("- **Deployment Window**: ").append(WINDOW.format(plan.window())).append("\n");
        md.append("- **Deploying Engineer**: ").append(text(plan.requestedBy())).append(" (steps run by the Deploy Stage executor)\n");
        md.append("- **Reviewer/Backup**: ").append(text(plan.reviewer())).append("\n\n");
        md.append("## Pre-Deploy Verification\n\n");
        md.append("- [x] All upstream gates satisfied (review, test, security)\n");
        md.append("- [ ] Staging deploy successful\n");
        md.append("- [ ] Smoke tests pass in staging\n");
        md.append("- [ ] Risk ").append(plan.risk().level()).append(": ").append(text(plan.risk().rationale())).append("\n");
        md.append("- [ ] Strategy ").append(plan.strategy().label()).append(": ").append(text(plan.choice().rationale())).append("\n");
        md.append("- [ ] Rollback procedure is documented (rollback-plan) and tested\n");
        if (plan.userFacing()) {
            md.append("- [ ] Stakeholders notified (user-impacting change)\n");
        }
        if (plan.migration()) {
            md.append("- [ ] Database migration verified reversible in staging\n");
        }
        if (!plan.flagStages().isEmpty()) {
            md.append("- [ ] Flag is off by default; kill switch confirmed; cleanup ticket created after full rollout\n");
        }
        if (plan.heldForEscalation()) {
            md.append("- [ ] Unrollable side effect escalated to the team lead and released by an approver\n");
        }
        md.append("\n## Deploy Steps\n\n");
        md.append("| # | Action | Command | Status |\n");
        md.append("|---|--------|---------|--------|\n");
        int n = 1;
        for (PlanStep step : plan.steps()) {
            md.append("| ").append(n++).append(" | ").append(cell(step.environment().label() + ": " + step.action()))
                    .append(" | ").append(code(step.displayCommand())).append(" | [ ] |\n");
        }
        md.append("\n## Post-Deploy Verification\n\n");
        md.append("| Check | Metric | Threshold | Result |\n");
        md.append("|-------|--------|-----------|--------|\n");
        for (HealthCheck check : plan.healthChecks()) {
            md.append("| ").append(cell(checkName(check))).append(" | ").append(cell(metricName(check))).append(" | ")
                    .append(cell(threshold(check))).append(" | [ ] |\n");
        }
        md.append("| Smoke tests | PASS/FAIL | PASS | [ ] |\n");
        md.append("\n## Outcome\n\n");
        md.append("**Result**: PENDING (DEPLOYED / ROLLED_BACK once the deployment ends)\n");
        md.append("**Notes**: ").append(text(notes(plan))).append("\n");
        return md.toString();
    }

    public static String rollbackPlan(Plan plan) {
        StringBuilder md = new StringBuilder();
        md.append("# Rollback Plan: ").append(title(plan)).append("\n\n");
        md.append("## Rollback Triggers\n\n");
        md.append("Roll back immediately if any of the following occur:\n");
        plan.rollbackTriggers().forEach(t -> md.append("- ").append(text(t)).append("\n"));
        md.append("\n## Rollback Procedure\n\n");
        md.append("| Step | Action | Command | Expected Result |\n");
        md.append("|------|--------|---------|----------------|\n");
        int n = 1;
        for (PlanStep step : plan.rollbackProcedure()) {
            md.append("| ").append(n++).append(" | ").append(cell(step.action())).append(" | ").append(code(step.displayCommand()))
                    .append(" | ").append(cell(step.expectedOutcome())).append(" |\n");
        }
        md.append("\n## Estimated Rollback Time\n\n");
        md.append(minutes(plan.trafficRevertMinutes())).append(" to revert traffic. ").append(minutes(plan.fullRollbackMinutes()))
                .append(" for full rollback including DB if needed.\n");
        md.append("\n## Known Constraints\n\n");
        plan.constraints().forEach(c -> md.append("- ").append(text(c)).append("\n"));
        md.append("\n## Escalation\n\n");
        md.append("If rollback fails or is not sufficient: contact ").append(text(plan.escalationContact()))
                .append(plan.teamChannel() == null ? "" : " (" + text(plan.teamChannel()) + ")").append(" immediately.\n");
        return md.toString();
    }

    private static String title(Plan plan) {
        return text(plan.service()) + " " + text(plan.version());
    }

    private static String notes(Plan plan) {
        String notes = "risk " + plan.risk().level() + "; " + plan.steps().size() + " steps, staging first";
        if (plan.heldForEscalation()) {
            notes += "; HELD for escalation: destructive migration";
        }
        if (plan.choice().seniorApproval()) {
            notes += "; senior approval required before production";
        }
        return notes;
    }

    private static String checkName(HealthCheck check) {
        return switch (check.metric()) {
            case ERROR_RATE -> "Error rate";
            case LATENCY_P50 -> "P50 latency";
            case LATENCY_P95 -> "P95 latency";
            case LATENCY_P99 -> "P99 latency";
            case THROUGHPUT -> "Throughput";
            case BUSINESS_METRIC -> "Business metric";
            case NEW_LOG_ERRORS -> "New ERROR log lines";
        };
    }

    private static String metricName(HealthCheck check) {
        return switch (check.metric()) {
            case ERROR_RATE -> "errors / requests, %";
            case LATENCY_P50, LATENCY_P95, LATENCY_P99 -> "ms";
            case THROUGHPUT -> "requests/s";
            case BUSINESS_METRIC -> check.businessMetric();
            case NEW_LOG_ERRORS -> "lines since deploy";
        };
    }

    private static String threshold(HealthCheck check) {
        String relative = check.maxRelativeDegradation() == null ? ""
                : " and not " + (check.higherIsBetter() ? "below" : "above") + " baseline by more than "
                        + PlanBuilder.number(check.maxRelativeDegradation() * 100) + "%";
        return switch (check.metric()) {
            case ERROR_RATE -> "<" + PlanBuilder.number(check.threshold()) + "%" + relative;
            case LATENCY_P50, LATENCY_P95, LATENCY_P99 -> "<" + PlanBuilder.number(check.threshold()) + "ms" + relative;
            case THROUGHPUT -> "within " + PlanBuilder.number(check.maxRelativeDegradation() * 100) + "% of baseline";
            case BUSINESS_METRIC -> "drop <" + PlanBuilder.number(check.threshold()) + "%";
            case NEW_LOG_ERRORS -> "0 new";
        } + (check.minSamples() > 1 ? ", min " + check.minSamples() + " samples" : "");
    }

    private static String minutes(int minutes) {
        return minutes + (minutes == 1 ? " minute" : " minutes");
    }

    /** Text from descriptors and events goes into Markdown as text, never as markup. */
    static String text(String value) {
        if (value == null) {
            return "";
        }
        return value.replaceAll("[\\r\\n]+", " ").replaceAll("([\\\\`*_\\[\\]<>|])", "\\\\$1");
    }

    private static String cell(String value) {
        return text(value);
    }

    private static String code(String command) {
        String flat = command.replaceAll("[\\r\\n]+", " ").replace("|", "\\|");
        int longest = 0;
        int run = 0;
        for (char c : flat.toCharArray()) {
            run = c == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(longest + 1);
        return fence + (longest > 0 ? " " + flat + " " : flat) + fence;
    }

}
