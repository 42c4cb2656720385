package io.deploystage.planner.domain;

import java.util.List;

/**
 * One step with its exact command (argv, never a shell line) and the outcome to confirm before the next.
 * {@code idempotent}: safe to run again after an interruption; {@code flagKey}/{@code flagInternal}: what a FLAG step sets;
 * {@code trafficTarget}: the instance or colour a TRAFFIC step sends {@code trafficPercent} of the traffic to.
 */
public record PlanStep(String id, Environment environment, StepKind kind, String action, List<String> command, String expectedOutcome,
        Integer trafficPercent, boolean idempotent, String flagKey, boolean flagInternal, String trafficTarget) {

    public PlanStep {
        command = List.copyOf(command);
    }

    /** A step that is not a descriptor command: checks, waits, approvals, tags and traffic weights are safe to repeat. */
    public PlanStep(String id, Environment environment, StepKind kind, String action, List<String> command, String expectedOutcome,
            Integer trafficPercent) {
        this(id, environment, kind, action, command, expectedOutcome, trafficPercent, kind != StepKind.COMMAND, null, false, null);
    }

    /** The command as the artifacts show it. */
    public String displayCommand() {
        return switch (kind) {
            case WAIT_FOR_HEALTH -> "monitor: " + String.join(" ", command);
            case APPROVAL -> "deploy-stage approve " + String.join(" ", command);
            case NOTIFY -> "notifier-service → " + String.join(" ", command);
            case HTTP_CHECK -> command.size() >= 3 ? command.get(0) + " " + command.get(1) + " → " + command.get(2) : String.join(" ", command);
            default -> CommandTemplate.display(command);
        };
    }
}
