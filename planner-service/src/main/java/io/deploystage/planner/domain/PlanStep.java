package io.deploystage.planner.domain;

import java.util.List;

/**
 * One step with its exact command (argv, never a shell line) and the outcome to confirm before the next.
 * {@code idempotent}: safe to run again after an interruption; {@code flagKey}/{@code flagInternal}: what a FLAG step sets;
 * {@code trafficTarget}: the instance or colour a TRAFFIC step sends {@code trafficPercent} of the traffic to;
 * {@code instance}: the instance a command puts a version on; {@code colour}: the blue/green colour the step is for (run only
 * when that colour is idle); {@code undoes}: for a rollback step, the forward steps it reverses (run only if one of them ran);
 * {@code approverRole}: for an APPROVAL step, the role whoever approves it must hold (null: {@code approver}).
 */
public record PlanStep(String id, Environment environment, StepKind kind, String action, List<String> command, String expectedOutcome,
        Integer trafficPercent, boolean idempotent, String flagKey, boolean flagInternal, String trafficTarget, String instance, String colour,
        List<String> undoes, String approverRole) {

    public PlanStep {
        command = List.copyOf(command);
        undoes = undoes == null ? List.of() : List.copyOf(undoes);
    }

    public PlanStep(String id, Environment environment, StepKind kind, String action, List<String> command, String expectedOutcome,
            Integer trafficPercent, boolean idempotent, String flagKey, boolean flagInternal, String trafficTarget) {
        this(id, environment, kind, action, command, expectedOutcome, trafficPercent, idempotent, flagKey, flagInternal, trafficTarget, null, null,
                List.of(), null);
    }

    /** A step that is not a descriptor command: checks, waits, approvals, tags and traffic weights are safe to repeat. */
    public PlanStep(String id, Environment environment, StepKind kind, String action, List<String> command, String expectedOutcome,
            Integer trafficPercent) {
        this(id, environment, kind, action, command, expectedOutcome, trafficPercent, kind != StepKind.COMMAND, null, false, null);
    }

    public PlanStep onInstance(String value) {
        return new PlanStep(id, environment, kind, action, command, expectedOutcome, trafficPercent, idempotent, flagKey, flagInternal, trafficTarget,
                value, colour, undoes, approverRole);
    }

    public PlanStep forColour(String value) {
        return new PlanStep(id, environment, kind, action, command, expectedOutcome, trafficPercent, idempotent, flagKey, flagInternal, trafficTarget,
                instance, value, undoes, approverRole);
    }

    public PlanStep undoing(List<String> forwardSteps) {
        return new PlanStep(id, environment, kind, action, command, expectedOutcome, trafficPercent, idempotent, flagKey, flagInternal, trafficTarget,
                instance, colour, forwardSteps, approverRole);
    }

    /** An APPROVAL step that only someone holding {@code role} may approve. */
    public PlanStep approvedBy(String role) {
        return new PlanStep(id, environment, kind, action, command, expectedOutcome, trafficPercent, idempotent, flagKey, flagInternal, trafficTarget,
                instance, colour, undoes, role);
    }
}
