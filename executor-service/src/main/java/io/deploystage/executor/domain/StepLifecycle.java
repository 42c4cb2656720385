package io.deploystage.executor.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The step lifecycle as pure functions over a plan and the rows of what ran: which step comes next (run, run again,
 * skip with the reason, pause, or end), what a rollback must undo, and which version each instance runs as a result.
 * <p>
 * What ran decides the rollback: a rollback step that names the forward steps it reverses runs only when one of them
 * started (a step that failed or was interrupted may have changed something, so it counts); otherwise it is SKIPPED as
 * "not touched". Example, a canary rolled back after {@code promote-prod-2}: the canary's weight goes to 0, then prod-2,
 * then prod-1 return to the previous version; rolled back at {@code bake-25}, {@code rollback-prod-2} is skipped.
 */
public final class StepLifecycle {

    /** How a step's run stands in the executor's records. */
    public enum Status {
        STARTED, SUCCEEDED, FAILED, SKIPPED, INTERRUPTED, AWAITING_OPERATOR,
        /** It was running when a rollback or an abort stopped the deployment: it may have changed something. */
        STOPPED;

        /** The step began, so it may have changed something: finished or not, only a skipped step touched nothing. */
        public boolean touched() {
            return this != SKIPPED;
        }
    }

    /** A plan step as the lifecycle sees it: a deploy step names its instance, a blue/green step its colour. */
    public record Step(String id, boolean production, boolean command, String instance, String colour, List<String> undoes, boolean idempotent) {
        public Step {
            undoes = undoes == null ? List.of() : List.copyOf(undoes);
        }
    }

    /** A row of what ran: the step's index in its phase's list, its status and how many times it began. */
    public record Row(Phase phase, int index, String stepId, Status status, int runs) {
    }

    /** Where a deployment stands: the list it works through, the index of the next step, and the live colour at its start. */
    public record Position(Phase phase, int index, boolean pauseRequested, String liveColour) {
    }

    /** What to do now. */
    public sealed interface Next {
    }

    /** Run the step (again, when {@code run} is above 1, for the reason given). */
    public record Run(int index, int run, String why) implements Next {
    }

    /** Skip the step: it is announced SKIPPED with the reason and the next one comes. */
    public record Skip(int index, String why) implements Next {
    }

    /** Stop before the step for an operator; {@code interrupted}: the step was found begun and may not run again by itself. */
    public record Pause(int index, String reason, boolean interrupted) implements Next {
    }

    /** The step already has its result: move past it. */
    public record Past(int index) implements Next {
    }

    /** The list is done: DEPLOYED after the forward steps, ROLLED_BACK after the rollback procedure. */
    public record Finish(DeploymentState state) implements Next {
    }

    /** One rollback step and whether it runs for what the deployment did. */
    public record Undo(String stepId, boolean runs, String why) {
    }

    /** Which version an instance runs: the one before this deployment, this deployment's, or not known (a step broke off). */
    public enum Version {
        PREVIOUS, NEW, UNKNOWN
    }

    private StepLifecycle() {
    }

    public static Next next(Position at, List<Step> forward, List<Step> rollback, List<Row> rows) {
        List<Step> list = at.phase() == Phase.FORWARD ? forward : rollback;
        if (at.index() >= list.size()) {
            return new Finish(at.phase() == Phase.FORWARD ? DeploymentState.DEPLOYED : DeploymentState.ROLLED_BACK);
        }
        Step step = list.get(at.index());
        if (at.pauseRequested() && at.phase() == Phase.FORWARD) {
            return new Pause(at.index(), "paused by an operator before step " + step.id(), false);
        }
        Row row = rows.stream().filter(r -> r.phase() == at.phase() && r.index() == at.index()).findFirst().orElse(null);
        if (row == null) {
            String skip = at.phase() == Phase.FORWARD ? otherColour(step, forward, at.liveColour()) : untouched(step, forward, rows);
            return skip == null ? new Run(at.index(), 1, null) : new Skip(at.index(), skip);
        }
        return switch (row.status()) {
            case STARTED -> step.idempotent() ? new Run(at.index(), row.runs() + 1, "re-run after an interruption (the step is safe to re-run)")
                    : new Pause(at.index(), "step " + step.id() + " was interrupted (the executor stopped while it ran) and is not declared safe"
                            + " to re-run: check what it did, then resume (which runs it again), abort, or roll back", true);
            case INTERRUPTED -> new Run(at.index(), row.runs() + 1, "re-run after an interruption, resumed by an operator");
            default -> new Past(at.index());
        };
    }

    /** Every rollback step in order, and whether it runs for the forward steps that ran. */
    public static List<Undo> undo(List<Step> forward, List<Step> rollback, List<Row> rows) {
        return rollback.stream().map(step -> {
            String why = untouched(step, forward, rows);
            return new Undo(step.id(), why == null, why);
        }).toList();
    }

    /** Whether any production step began: before that a rollback has nothing to undo. */
    public static boolean touchedProduction(List<Step> forward, List<Row> rows) {
        return rows.stream().filter(r -> r.phase() == Phase.FORWARD && r.status().touched() && r.index() < forward.size())
                .anyMatch(r -> forward.get(r.index()).production());
    }

    /**
     * The version each production instance runs by the records: a deploy that succeeded put the new version there, a
     * rollback step that succeeded returned the instances of the steps it undoes; one that broke off leaves it unknown.
     */
    public static Map<String, Version> instances(List<Step> forward, List<Step> rollback, List<Row> rows) {
        Map<String, Version> versions = new LinkedHashMap<>();
        Map<String, String> instanceOf = new LinkedHashMap<>();
        for (Step step : forward) {
            if (step.production() && step.command() && step.instance() != null) {
                versions.putIfAbsent(step.instance(), Version.PREVIOUS);
                instanceOf.put(step.id(), step.instance());
            }
        }
        for (Row row : sorted(rows)) {
            List<Step> list = row.phase() == Phase.FORWARD ? forward : rollback;
            if (row.index() >= list.size() || !row.status().touched()) {
                continue;
            }
            Step step = list.get(row.index());
            Version after = row.status() == Status.SUCCEEDED ? (row.phase() == Phase.FORWARD ? Version.NEW : Version.PREVIOUS) : Version.UNKNOWN;
            if (row.phase() == Phase.FORWARD && instanceOf.containsKey(step.id())) {
                versions.put(instanceOf.get(step.id()), after);
            } else if (row.phase() == Phase.ROLLBACK && step.command()) {
                step.undoes().stream().map(instanceOf::get).filter(i -> i != null).forEach(i -> versions.put(i, after));
            }
        }
        return versions;
    }

    /** The instances in words: "prod-1 runs 1.2.0, prod-2 runs the previous version". */
    public static String describe(Map<String, Version> instances, String version) {
        return instances.entrySet().stream().map(e -> e.getKey() + switch (e.getValue()) {
            case NEW -> " runs " + version;
            case PREVIOUS -> " runs the previous version";
            case UNKNOWN -> " may run either version (its step broke off)";
        }).collect(Collectors.joining(", "));
    }

    /** The colour that is idle when the live one is {@code live}: the plan's other colour. */
    public static String idleColour(List<Step> forward, String live) {
        return forward.stream().map(Step::colour).filter(c -> c != null && !c.equals(live)).findFirst().orElse(null);
    }

    /** Why a forward blue/green step is for the other colour, or null when it runs. */
    private static String otherColour(Step step, List<Step> forward, String live) {
        if (step.colour() == null || live == null) {
            return null;
        }
        String idle = idleColour(forward, live);
        return step.colour().equals(idle) ? null : live + " is live: this release goes to the idle colour " + idle;
    }

    /** Why a rollback step has nothing to undo, or null when it runs. */
    private static String untouched(Step step, List<Step> forward, List<Row> rows) {
        if (step.undoes().isEmpty()) {
            return null;
        }
        Set<String> touched = rows.stream().filter(r -> r.phase() == Phase.FORWARD && r.status().touched() && r.index() < forward.size())
                .map(r -> forward.get(r.index()).id()).collect(Collectors.toSet());
        return step.undoes().stream().anyMatch(touched::contains) ? null
                : "not touched: " + String.join(", ", step.undoes()) + " never ran";
    }

    private static List<Row> sorted(List<Row> rows) {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort((a, b) -> a.phase() != b.phase() ? a.phase().compareTo(b.phase()) : Integer.compare(a.index(), b.index()));
        return sorted;
    }
}
