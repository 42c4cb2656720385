package io.deploystage.events;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The deployment-checklist and rollback-plan artifacts of a {@link DeploymentPlan}, in the spec's Output Format
 * (Markdown). The planner renders the checklist before anything ran; the executor renders it again as the record of
 * what was done ({@link ChecklistRecord}): each step's status and time, each check's measured value, and the result.
 */
public final class DeploymentArtifacts {

    private static final DateTimeFormatter WINDOW = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private DeploymentArtifacts() {
    }

    /** How one step ran. */
    public enum Mark {
        NOT_REACHED, DONE, FAILED, SKIPPED, STOPPED, RUNNING
    }

    /** One step's record: how it ended, when, and why (the skip reason, or what failed). */
    public record StepRecord(Mark mark, Instant at, String detail) {
        public static final StepRecord NOT_REACHED = new StepRecord(Mark.NOT_REACHED, null, null);
    }

    /**
     * What was done: a record per forward and rollback step (in plan order), the measured result of each health check
     * by metric, the production smoke tests, the outcome and notes. {@link #pending()} before anything ran.
     */
    public record ChecklistRecord(List<StepRecord> steps, List<StepRecord> rollback, Map<MetricKind, String> checks, String smokeTests,
            boolean stagingDeployed, boolean stagingSmokePassed, String result, String notes) {

        public static ChecklistRecord pending() {
            return new ChecklistRecord(List.of(), List.of(), Map.of(), null, false, false, null, null);
        }

        boolean isPending() {
            return result == null;
        }

        StepRecord step(int index) {
            return index < steps.size() ? steps.get(index) : StepRecord.NOT_REACHED;
        }
    }

    /** When production starts, in UTC and in the deployment calendar's zone; the calendar's rules are in Known Constraints. */
    private static String window(DeploymentPlan plan) {
        if (plan.getDeploymentWindow() == null) {
            return plan.getCalendar() == null ? "as soon as staging passes" : "no opening in the deployment calendar within a year (see Known Constraints)";
        }
        String utc = WINDOW.format(plan.getDeploymentWindow());
        if (plan.getCalendar() == null || ZoneOffset.UTC.getId().equals(plan.getCalendar().getZone()) || "UTC".equals(plan.getCalendar().getZone())) {
            return utc;
        }
        return utc + " (" + DateTimeFormatter.ofPattern("EEE HH:mm", java.util.Locale.ENGLISH).withZone(java.time.ZoneId.of(plan.getCalendar().getZone()))
                .format(plan.getDeploymentWindow()) + " " + text(plan.getCalendar().getZone()) + ")";
    }

    public static String deploymentChecklist(DeploymentPlan plan, ChecklistRecord record) {
        StringBuilder md = new StringBuilder();
        md.append("# Deployment Checklist: ").append(title(plan)).append("\n\n");
        md.append("## Deployment Info\n\n");
        md.append("- **Version**: ").append(text(plan.getVersion())).append(" (commit ").append(text(plan.getCommit())).append(")\n");
        md.append("- **Environment**: production (after staging)\n");
        md.append("- **Strategy**: ").append(label(plan.getStrategy())).append("\n");
        md.append("- **Deployment Window**: ").append(window(plan)).append("\n");
        md.append("- **Deploying Engineer**: ").append(text(plan.getRequestedBy())).append(" (steps run by the Deploy Stage executor)\n");
        md.append("- **Reviewer/Backup**: ").append(text(plan.getReviewer())).append("\n\n");
        md.append("## Pre-Deploy Verification\n\n");
        md.append("- [x] All upstream gates satisfied (review, test, security)\n");
        md.append(box(record.stagingDeployed())).append(" Staging deploy successful\n");
        md.append(box(record.stagingSmokePassed())).append(" Smoke tests pass in staging\n");
        md.append("- [ ] Risk ").append(plan.getRisk()).append(": ").append(text(plan.getRiskRationale())).append("\n");
        md.append("- [ ] Strategy ").append(label(plan.getStrategy())).append(": ").append(text(plan.getRationale())).append("\n");
        md.append("- [ ] Rollback procedure is documented (rollback-plan) and tested\n");
        md.append("- [ ] Deployment window confirmed with the team").append(plan.getTeamChannel() == null ? "" : " in " + text(plan.getTeamChannel()))
                .append("\n");
        if (plan.getUserFacing()) {
            md.append("- [ ] Stakeholders notified (user-impacting change)\n");
        }
        md.append("- [ ] Deployment progress monitored: ").append(code("deploy-stage watch " + plan.getReleaseId()))
                .append(" (every step as it starts and ends, the health verdicts with their numbers)\n");
        if (plan.getDatabaseMigration()) {
            md.append("- [ ] Database migration verified reversible in staging\n");
        }
        if (!plan.getFlagRolloutStages().isEmpty()) {
            md.append("- [ ] Flag is off by default; kill switch confirmed; cleanup ticket created after full rollout\n");
        }
        if (plan.getEscalated()) {
            md.append("- [ ] Unrollable side effect escalated to the team lead and released by an approver\n");
        }
        md.append("\n## Deploy Steps\n\n");
        md.append("| # | Action | Command | Status |\n");
        md.append("|---|--------|---------|--------|\n");
        int n = 1;
        for (PlanStep step : plan.getSteps()) {
            md.append("| ").append(n).append(" | ").append(text(label(step.getEnvironment()) + ": " + step.getAction()))
                    .append(" | ").append(code(displayCommand(step))).append(" | ").append(status(record.step(n - 1))).append(" |\n");
            n++;
        }
        for (int i = 0; i < record.rollback().size(); i++) {
            StepRecord ran = record.rollback().get(i);
            if (ran.mark() != Mark.NOT_REACHED) {
                PlanStep step = plan.getRollbackProcedure().get(i);
                md.append("| R").append(i + 1).append(" | ").append(text("rollback: " + step.getAction())).append(" | ")
                        .append(code(displayCommand(step))).append(" | ").append(status(ran)).append(" |\n");
            }
        }
        md.append("\n## Post-Deploy Verification\n\n");
        md.append("| Check | Metric | Threshold | Result |\n");
        md.append("|-------|--------|-----------|--------|\n");
        for (HealthCheck check : plan.getHealthChecks()) {
            String result = record.checks().get(check.getMetric());
            md.append("| ").append(text(checkName(check))).append(" | ").append(text(metricName(check))).append(" | ")
                    .append(text(threshold(check))).append(" | ").append(result == null ? "[ ]" : text(result)).append(" |\n");
        }
        md.append("| Smoke tests | PASS/FAIL | PASS | ").append(record.smokeTests() == null ? "[ ]" : text(record.smokeTests())).append(" |\n");
        md.append("\n## Stabilization (first 24h)\n\n");
        md.append("- [ ] Error dashboards monitored: the monitor keeps judging every check against the pre-deploy baseline for 24 h after"
                + " DEPLOYED, and orders the rollback on a breach\n");
        md.append("- [ ] User reports and support tickets watched").append(plan.getTeamChannel() == null ? "" : " (" + text(plan.getTeamChannel()) + ")")
                .append("\n");
        md.append("- [ ] Latency and throughput tracked against the pre-deploy baseline\n");
        md.append("\n## Outcome\n\n");
        if (record.isPending()) {
            md.append("**Result**: PENDING (DEPLOYED / ROLLED_BACK once the deployment ends)\n");
            md.append("**Notes**: ").append(text(notes(plan))).append("\n");
        } else {
            md.append("**Result**: ").append(record.result().replaceAll("[^A-Za-z0-9_ ()-]", "")).append("\n");
            md.append("**Notes**: ").append(text(record.notes() == null ? notes(plan) : record.notes())).append("\n");
        }
        return md.toString();
    }

    public static String rollbackPlan(DeploymentPlan plan) {
        StringBuilder md = new StringBuilder();
        md.append("# Rollback Plan: ").append(title(plan)).append("\n\n");
        md.append("## Rollback Triggers\n\n");
        md.append("Roll back immediately if any of the following occur:\n");
        plan.getRollbackTriggers().forEach(t -> md.append("- ").append(text(t)).append("\n"));
        md.append("\n## Rollback Procedure\n\n");
        md.append("| Step | Action | Command | Expected Result |\n");
        md.append("|------|--------|---------|----------------|\n");
        int n = 1;
        for (PlanStep step : plan.getRollbackProcedure()) {
            md.append("| ").append(n++).append(" | ").append(text(step.getAction())).append(" | ").append(code(displayCommand(step)))
                    .append(" | ").append(text(step.getExpectedOutcome())).append(" |\n");
        }
        md.append("\nThis is the procedure for the worst case, in the order it runs. A step that undoes a deploy step runs only if that"
                + " step started; the others are skipped and recorded as not touched.\n");
        md.append("\n## Estimated Rollback Time\n\n");
        md.append(minutes(plan.getTrafficRevertMinutes())).append(" to revert traffic. ").append(minutes(plan.getFullRollbackMinutes()))
                .append(" for full rollback including DB if needed.\n");
        md.append("\n## Known Constraints\n\n");
        plan.getConstraints().forEach(c -> md.append("- ").append(text(c)).append("\n"));
        md.append("\n## Escalation\n\n");
        md.append("If rollback fails or is not sufficient: contact ").append(text(plan.getEscalationContact()))
                .append(plan.getTeamChannel() == null ? "" : " (" + text(plan.getTeamChannel()) + ")").append(" immediately.\n");
        return md.toString();
    }

    /** The command as the artifacts show it. */
    public static String displayCommand(PlanStep step) {
        List<String> command = step.getCommand();
        return switch (step.getKind()) {
            case WAIT_FOR_HEALTH -> "monitor: " + String.join(" ", command);
            case APPROVAL -> "deploy-stage approve " + String.join(" ", command);
            case NOTIFY -> "notifier-service → " + String.join(" ", command);
            case HTTP_CHECK -> command.size() >= 3 ? command.get(0) + " " + command.get(1) + " → " + command.get(2)
                    + (command.size() > 3 ? " containing " + command.get(3) : "") : String.join(" ", command);
            default -> argv(command);
        };
    }

    /** An argv as one line a person can read and paste: words that need it are quoted. */
    public static String argv(List<String> argv) {
        return String.join(" ", argv.stream().map(a -> a.matches("[A-Za-z0-9._:/@+=,{}-]+") ? a : "'" + a.replace("'", "'\\''") + "'").toList());
    }

    /** A number as the artifacts write it: 5, 0.5, 2.25. */
    public static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2f", value).replaceAll("0+$", "");
    }

    private static String status(StepRecord record) {
        String at = record.at() == null ? "" : " " + TIME.format(record.at());
        String detail = record.detail() == null ? "" : ": " + record.detail();
        return switch (record.mark()) {
            case NOT_REACHED -> "[ ]";
            case DONE -> "[x] done" + text(at);
            case FAILED -> "[ ] FAILED" + text(at + detail);
            case SKIPPED -> "[ ] skipped" + text(detail);
            case STOPPED -> "[ ] stopped" + text(at + detail);
            case RUNNING -> "[ ] running since" + text(at);
        };
    }

    private static String box(boolean ticked) {
        return ticked ? "- [x]" : "- [ ]";
    }

    private static String title(DeploymentPlan plan) {
        return text(plan.getService()) + " " + text(plan.getVersion());
    }

    private static String label(Strategy strategy) {
        return strategy.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String label(Environment environment) {
        return environment.name().toLowerCase(Locale.ROOT);
    }

    private static String notes(DeploymentPlan plan) {
        String notes = "risk " + plan.getRisk() + "; " + plan.getSteps().size() + " steps, staging first";
        if (plan.getEscalated()) {
            notes += "; HELD for escalation: destructive migration";
        }
        if (plan.getSeniorApproval()) {
            notes += "; senior approval required before production";
        }
        return notes;
    }

    private static String checkName(HealthCheck check) {
        return switch (check.getMetric()) {
            case ERROR_RATE -> "Error rate";
            case LATENCY_P50 -> "P50 latency";
            case LATENCY_P95 -> "P95 latency";
            case LATENCY_P99 -> "P99 latency";
            case THROUGHPUT -> "Throughput";
            case BUSINESS_METRIC -> "Business metric";
            case NEW_LOG_ERRORS -> "New ERROR log lines";
            case NEW_LOG_WARNINGS -> "New WARN log lines";
            case UNKNOWN -> "Unknown check";
        };
    }

    private static String metricName(HealthCheck check) {
        return switch (check.getMetric()) {
            case ERROR_RATE -> "errors / requests, %";
            case LATENCY_P50, LATENCY_P95, LATENCY_P99 -> "ms";
            case THROUGHPUT -> "requests/s";
            case BUSINESS_METRIC -> check.getBusinessMetric();
            case NEW_LOG_ERRORS, NEW_LOG_WARNINGS -> "lines since deploy";
            case UNKNOWN -> "?";
        };
    }

    private static String threshold(HealthCheck check) {
        Double degradation = check.getMaxRelativeDegradation();
        String relative = degradation == null ? ""
                : " and not " + (check.getHigherIsBetter() ? "below" : "above") + " baseline by more than " + number(degradation * 100) + "%";
        return switch (check.getMetric()) {
            case ERROR_RATE -> "<" + number(check.getThreshold()) + "%" + relative;
            case LATENCY_P50, LATENCY_P95, LATENCY_P99 -> "<" + number(check.getThreshold()) + "ms" + relative;
            case THROUGHPUT -> "within " + number(degradation == null ? 0 : degradation * 100) + "% of baseline";
            case BUSINESS_METRIC -> "drop <" + number(check.getThreshold()) + "%";
            case NEW_LOG_ERRORS -> "0 new";
            case NEW_LOG_WARNINGS -> (check.getThreshold() == 0 ? "0 new" : "at most " + number(check.getThreshold()) + " new")
                    + (degradation == null ? "" : " beyond the baseline's rate + " + number(degradation * 100) + "%");
            case UNKNOWN -> "?";
        } + (check.getMinSamples() > 1 ? ", min " + check.getMinSamples() + " samples" : "");
    }

    private static String minutes(int minutes) {
        return minutes + (minutes == 1 ? " minute" : " minutes");
    }

    /** Text from descriptors and events goes into Markdown as text, never as markup. */
    public static String text(String value) {
        if (value == null) {
            return "";
        }
        return value.replaceAll("[\\r\\n]+", " ").replaceAll("([\\\\`*_\\[\\]<>|])", "\\\\$1");
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
