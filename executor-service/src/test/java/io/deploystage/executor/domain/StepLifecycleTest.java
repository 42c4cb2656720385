package io.deploystage.executor.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.deploystage.executor.domain.StepLifecycle.Next;
import io.deploystage.executor.domain.StepLifecycle.Position;
import io.deploystage.executor.domain.StepLifecycle.Row;
import io.deploystage.executor.domain.StepLifecycle.Status;
import io.deploystage.executor.domain.StepLifecycle.Step;
import io.deploystage.executor.domain.StepLifecycle.Version;

/**
 * What a rollback undoes, for every strategy (plans shaped as the planner builds them: prod-1 is the canary, blue is
 * live) from every point it can be reached: a staging failure, the first production deploy failing, a production check
 * failing right after the first instance was updated, a rollback ordered mid-rollout, a failure after every instance was
 * updated, after DEPLOYED, after an abort, and after a kill -9 in the middle of a deploy. The deployment is driven by
 * {@link StepLifecycle#next} itself up to that point.
 */
class StepLifecycleTest {

    enum Point {
        STAGING_FAIL, FIRST_PRODUCTION_FAIL, CHECK_FAILS_AFTER_FIRST_INSTANCE, MID_ROLLOUT, AFTER_PROMOTION, AFTER_DEPLOYED, AFTER_ABORT,
        AFTER_KILL
    }

    record Plan(List<Step> forward, List<Step> rollback, Map<Point, String> at) {
    }

    static Step s(String id, boolean production) {
        return new Step(id, production, false, null, null, List.of(), true);
    }

    static Step deploy(String id, String instance) {
        return new Step(id, !instance.startsWith("staging"), true, instance, null, List.of(), true);
    }

    static Step undo(String id, boolean command, String... undoes) {
        return new Step(id, true, command, null, null, List.of(undoes), command);
    }

    static Step colour(Step step, String colour) {
        return new Step(step.id(), step.production(), step.command(), step.instance(), colour, step.undoes(), step.idempotent());
    }

    static List<Step> staging() {
        return new ArrayList<>(List.of(deploy("staging-deploy-staging-1", "staging-1"), s("staging-smoke-health", false),
                s("staging-performance", false), s("tag-release", true)));
    }

    static List<Step> tail(List<Step> steps) {
        steps.add(s("production-smoke-health", true));
        steps.add(s("post-deploy-health", true));
        return steps;
    }

    static final List<Step> CHECKS = List.of(undo("rollback-verify-health", false), undo("rollback-notify", false));

    static List<Step> rollback(Step... undoing) {
        List<Step> steps = new ArrayList<>(Arrays.asList(undoing));
        steps.addAll(CHECKS);
        return steps;
    }

    static Plan plan(String strategy) {
        List<Step> f = staging();
        return switch (strategy) {
            case "DIRECT" -> {
                f.add(deploy("production-deploy-prod-1", "prod-1"));
                f.add(deploy("production-deploy-prod-2", "prod-2"));
                yield new Plan(tail(f), rollback(undo("rollback-prod-2", true, "production-deploy-prod-2"), undo("rollback-prod-1", true,
                        "production-deploy-prod-1")), Map.of(Point.FIRST_PRODUCTION_FAIL, "production-deploy-prod-1", Point.MID_ROLLOUT,
                        "production-deploy-prod-2", Point.AFTER_PROMOTION, "production-smoke-health", Point.AFTER_ABORT, "production-deploy-prod-1",
                        Point.AFTER_KILL, "production-deploy-prod-2"));
            }
            case "ROLLING" -> {
                f.add(deploy("deploy-prod-1", "prod-1"));
                f.add(s("verify-prod-1", true));
                f.add(deploy("deploy-prod-2", "prod-2"));
                f.add(s("verify-prod-2", true));
                yield new Plan(tail(f), rollback(undo("rollback-prod-2", true, "deploy-prod-2"), undo("rollback-prod-1", true, "deploy-prod-1")),
                        Map.of(Point.FIRST_PRODUCTION_FAIL, "deploy-prod-1", Point.MID_ROLLOUT, "verify-prod-1", Point.AFTER_PROMOTION,
                                "verify-prod-2", Point.AFTER_ABORT, "verify-prod-1", Point.AFTER_KILL, "deploy-prod-2"));
            }
            case "CANARY" -> {
                f.add(deploy("deploy-canary", "prod-1"));
                for (int w : List.of(5, 25, 50, 100)) {
                    f.add(s("canary-" + w, true));
                    f.add(s("bake-" + w, true));
                }
                f.add(deploy("promote-prod-2", "prod-2"));
                yield new Plan(tail(f), rollback(undo("rollback-canary-0", false, "canary-5", "canary-25", "canary-50", "canary-100"),
                        undo("rollback-prod-2", true, "promote-prod-2"), undo("rollback-prod-1", true, "deploy-canary")),
                        Map.of(Point.FIRST_PRODUCTION_FAIL, "deploy-canary", Point.MID_ROLLOUT, "bake-25", Point.AFTER_PROMOTION,
                                "production-smoke-health", Point.AFTER_ABORT, "canary-50", Point.AFTER_KILL, "promote-prod-2"));
            }
            case "FEATURE_FLAG" -> {
                f.add(deploy("deploy-dark-prod-1", "prod-1"));
                f.add(deploy("deploy-dark-prod-2", "prod-2"));
                for (String stage : List.of("off", "internal", "internal-watch", "1", "1-watch", "100", "100-watch")) {
                    f.add(s("flag-f-" + stage, true));
                }
                yield new Plan(tail(f), rollback(undo("rollback-flag-f", false, "flag-f-internal", "flag-f-1", "flag-f-100"),
                        undo("rollback-prod-2", true, "deploy-dark-prod-2"), undo("rollback-prod-1", true, "deploy-dark-prod-1")),
                        Map.of(Point.FIRST_PRODUCTION_FAIL, "deploy-dark-prod-1", Point.MID_ROLLOUT, "flag-f-1-watch", Point.AFTER_PROMOTION,
                                "flag-f-100-watch", Point.AFTER_ABORT, "flag-f-off", Point.AFTER_KILL, "deploy-dark-prod-2"));
            }
            case "BLUE_GREEN" -> {
                for (String idle : List.of("blue", "green")) {
                    String live = idle.equals("blue") ? "green" : "blue";
                    f.add(colour(deploy("deploy-" + idle, idle), idle));
                    f.add(colour(s("verify-" + idle + "-health", true), idle));
                    f.add(colour(s("switch-to-" + idle, true), idle));
                    f.add(colour(s("keep-" + live + "-warm", true), idle));
                }
                yield new Plan(tail(f), rollback(colour(undo("rollback-switch-to-green", false, "switch-to-blue"), "green"),
                        colour(undo("rollback-switch-to-blue", false, "switch-to-green"), "blue")),
                        Map.of(Point.FIRST_PRODUCTION_FAIL, "deploy-green", Point.MID_ROLLOUT, "switch-to-green", Point.AFTER_PROMOTION,
                                "keep-blue-warm", Point.AFTER_ABORT, "verify-green-health", Point.AFTER_KILL, "switch-to-green"));
            }
            default -> throw new IllegalArgumentException(strategy);
        };
    }

    /**
     * The plan with a production check right after the first step that updates prod-1 (the first instance), before any
     * other instance is touched: the check that fails at {@link Point#CHECK_FAILS_AFTER_FIRST_INSTANCE}.
     */
    static Plan withCheckAfterFirstInstance(Plan plan) {
        List<Step> forward = new ArrayList<>(plan.forward());
        int first = forward.indexOf(forward.stream().filter(s -> "prod-1".equals(s.instance())).findFirst().orElseThrow());
        forward.add(first + 1, s("check-after-prod-1", true));
        return new Plan(forward, plan.rollback(), plan.at());
    }

    /** Drives the forward steps with {@link StepLifecycle#next} until {@code stopAt}, which ends with {@code status}. */
    static List<Row> drive(Plan plan, String stopAt, Status status, boolean skipTheRest) {
        List<Row> rows = new ArrayList<>();
        int index = 0;
        while (true) {
            Next next = StepLifecycle.next(new Position(Phase.FORWARD, index, false, "blue"), plan.forward(), plan.rollback(), rows);
            if (next instanceof StepLifecycle.Finish) {
                return rows;
            }
            String id = plan.forward().get(index).id();
            if (next instanceof StepLifecycle.Skip) {
                rows.add(new Row(Phase.FORWARD, index, id, Status.SKIPPED, 0));
            } else if (id.equals(stopAt)) {
                rows.add(new Row(Phase.FORWARD, index, id, status, 1));
                for (int i = index + 1; skipTheRest && i < plan.forward().size(); i++) {
                    rows.add(new Row(Phase.FORWARD, i, plan.forward().get(i).id(), Status.SKIPPED, 0));
                }
                return rows;
            } else {
                assertInstanceOf(StepLifecycle.Run.class, next, id);
                rows.add(new Row(Phase.FORWARD, index, id, Status.SUCCEEDED, 1));
            }
            index++;
        }
    }

    /** Runs the rollback procedure with {@link StepLifecycle#next}, every step that runs succeeding. */
    static List<Row> rollBack(Plan plan, List<Row> forwardRows) {
        List<Row> rows = new ArrayList<>(forwardRows);
        int index = 0;
        while (!(StepLifecycle.next(new Position(Phase.ROLLBACK, index, false, "blue"), plan.forward(), plan.rollback(), rows)
                instanceof StepLifecycle.Finish)) {
            Next next = StepLifecycle.next(new Position(Phase.ROLLBACK, index, false, "blue"), plan.forward(), plan.rollback(), rows);
            rows.add(new Row(Phase.ROLLBACK, index, plan.rollback().get(index).id(), next instanceof StepLifecycle.Skip ? Status.SKIPPED
                    : Status.SUCCEEDED, 1));
            index++;
        }
        return rows;
    }

    @ParameterizedTest(name = "{0} {1}: undo {2}")
    @CsvSource({
            "DIRECT, STAGING_FAIL, -",
            "DIRECT, FIRST_PRODUCTION_FAIL, rollback-prod-1",
            "DIRECT, CHECK_FAILS_AFTER_FIRST_INSTANCE, rollback-prod-1",
            "DIRECT, MID_ROLLOUT, rollback-prod-2 rollback-prod-1",
            "DIRECT, AFTER_PROMOTION, rollback-prod-2 rollback-prod-1",
            "DIRECT, AFTER_DEPLOYED, rollback-prod-2 rollback-prod-1",
            "DIRECT, AFTER_ABORT, rollback-prod-1",
            "DIRECT, AFTER_KILL, rollback-prod-2 rollback-prod-1",
            "ROLLING, STAGING_FAIL, -",
            "ROLLING, FIRST_PRODUCTION_FAIL, rollback-prod-1",
            "ROLLING, CHECK_FAILS_AFTER_FIRST_INSTANCE, rollback-prod-1",
            "ROLLING, MID_ROLLOUT, rollback-prod-1",
            "ROLLING, AFTER_PROMOTION, rollback-prod-2 rollback-prod-1",
            "ROLLING, AFTER_DEPLOYED, rollback-prod-2 rollback-prod-1",
            "ROLLING, AFTER_ABORT, rollback-prod-1",
            "ROLLING, AFTER_KILL, rollback-prod-2 rollback-prod-1",
            "CANARY, STAGING_FAIL, -",
            "CANARY, FIRST_PRODUCTION_FAIL, rollback-prod-1",
            "CANARY, CHECK_FAILS_AFTER_FIRST_INSTANCE, rollback-prod-1",
            "CANARY, MID_ROLLOUT, rollback-canary-0 rollback-prod-1",
            "CANARY, AFTER_PROMOTION, rollback-canary-0 rollback-prod-2 rollback-prod-1",
            "CANARY, AFTER_DEPLOYED, rollback-canary-0 rollback-prod-2 rollback-prod-1",
            "CANARY, AFTER_ABORT, rollback-canary-0 rollback-prod-1",
            "CANARY, AFTER_KILL, rollback-canary-0 rollback-prod-2 rollback-prod-1",
            "FEATURE_FLAG, STAGING_FAIL, -",
            "FEATURE_FLAG, FIRST_PRODUCTION_FAIL, rollback-prod-1",
            "FEATURE_FLAG, CHECK_FAILS_AFTER_FIRST_INSTANCE, rollback-prod-1",
            "FEATURE_FLAG, MID_ROLLOUT, rollback-flag-f rollback-prod-2 rollback-prod-1",
            "FEATURE_FLAG, AFTER_PROMOTION, rollback-flag-f rollback-prod-2 rollback-prod-1",
            "FEATURE_FLAG, AFTER_DEPLOYED, rollback-flag-f rollback-prod-2 rollback-prod-1",
            "FEATURE_FLAG, AFTER_ABORT, rollback-prod-2 rollback-prod-1",
            "FEATURE_FLAG, AFTER_KILL, rollback-prod-2 rollback-prod-1",
            "BLUE_GREEN, STAGING_FAIL, -",
            "BLUE_GREEN, FIRST_PRODUCTION_FAIL, ''",
            "BLUE_GREEN, MID_ROLLOUT, rollback-switch-to-blue",
            "BLUE_GREEN, AFTER_PROMOTION, rollback-switch-to-blue",
            "BLUE_GREEN, AFTER_DEPLOYED, rollback-switch-to-blue",
            "BLUE_GREEN, AFTER_ABORT, ''",
            "BLUE_GREEN, AFTER_KILL, rollback-switch-to-blue",
    })
    void theRollbackUndoesWhatRanAndOnlyThat(String strategy, Point point, String expected) {
        Plan plan = point == Point.CHECK_FAILS_AFTER_FIRST_INSTANCE ? withCheckAfterFirstInstance(plan(strategy)) : plan(strategy);
        List<Row> rows = switch (point) {
            case STAGING_FAIL -> drive(plan, "staging-smoke-health", Status.FAILED, false);
            case FIRST_PRODUCTION_FAIL, AFTER_PROMOTION -> drive(plan, plan.at().get(point), Status.FAILED, false);
            // the steps after the failed check are announced SKIPPED, as the executor does when a rollback starts
            case CHECK_FAILS_AFTER_FIRST_INSTANCE -> drive(plan, "check-after-prod-1", Status.FAILED, true);
            case MID_ROLLOUT -> drive(plan, plan.at().get(point), Status.STOPPED, true);
            case AFTER_DEPLOYED -> drive(plan, null, null, false);
            case AFTER_ABORT -> drive(plan, plan.at().get(point), Status.SUCCEEDED, true);
            case AFTER_KILL -> drive(plan, plan.at().get(point), Status.STARTED, false);
        };
        if (point == Point.STAGING_FAIL) {
            assertFalse(StepLifecycle.touchedProduction(plan.forward(), rows), "a staging failure leaves production untouched: no rollback");
            return;
        }
        assertTrue(StepLifecycle.touchedProduction(plan.forward(), rows));
        List<String> undone = StepLifecycle.undo(plan.forward(), plan.rollback(), rows).stream().filter(StepLifecycle.Undo::runs)
                .map(StepLifecycle.Undo::stepId).toList();
        List<String> wanted = new ArrayList<>(expected == null || expected.isBlank() ? List.of() : List.of(expected.split(" ")));
        wanted.addAll(List.of("rollback-verify-health", "rollback-notify"));
        assertEquals(wanted, undone);

        // and after the rollback ran, no instance is left on the new version, but the idle colour, which takes no traffic
        List<Row> after = rollBack(plan, rows);
        StepLifecycle.instances(plan.forward(), plan.rollback(), after).forEach((instance, version) -> {
            if (!instance.equals("green")) {
                assertEquals(Version.PREVIOUS, version, instance + " after " + point + ": " + after);
            }
        });
    }

    @Test
    void skippedRollbackStepsSayWhatNeverRan() {
        Plan plan = plan("CANARY");
        List<Row> rows = drive(plan, "bake-25", Status.STOPPED, true);
        StepLifecycle.Undo promoted = StepLifecycle.undo(plan.forward(), plan.rollback(), rows).stream()
                .filter(u -> u.stepId().equals("rollback-prod-2")).findFirst().orElseThrow();
        assertEquals("not touched: promote-prod-2 never ran", promoted.why());
        Next next = StepLifecycle.next(new Position(Phase.ROLLBACK, 1, false, null), plan.forward(), plan.rollback(), rows);
        assertEquals(new StepLifecycle.Skip(1, "not touched: promote-prod-2 never ran"), next);
    }

    @Test
    void blueGreenGoesToTheIdleColourWhicheverIsLive() {
        Plan plan = plan("BLUE_GREEN");
        for (String live : List.of("blue", "green")) {
            String idle = live.equals("blue") ? "green" : "blue";
            List<String> ran = new ArrayList<>();
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < plan.forward().size(); i++) {
                Next next = StepLifecycle.next(new Position(Phase.FORWARD, i, false, live), plan.forward(), plan.rollback(), rows);
                boolean runs = next instanceof StepLifecycle.Run;
                rows.add(new Row(Phase.FORWARD, i, plan.forward().get(i).id(), runs ? Status.SUCCEEDED : Status.SKIPPED, 1));
                if (runs) {
                    ran.add(plan.forward().get(i).id());
                }
                if (!runs) {
                    assertEquals(live + " is live: this release goes to the idle colour " + idle, ((StepLifecycle.Skip) next).why());
                }
            }
            assertEquals(List.of("staging-deploy-staging-1", "staging-smoke-health", "staging-performance", "tag-release", "deploy-" + idle,
                    "verify-" + idle + "-health", "switch-to-" + idle, "keep-" + live + "-warm", "production-smoke-health", "post-deploy-health"), ran);
            assertEquals(List.of("rollback-switch-to-" + live, "rollback-verify-health", "rollback-notify"), StepLifecycle.undo(plan.forward(),
                    plan.rollback(), rows).stream().filter(StepLifecycle.Undo::runs).map(StepLifecycle.Undo::stepId).toList());
        }
    }

    @Test
    void anInterruptedStepRunsAgainOnlyWhenItIsSafeTo() {
        Step safe = deploy("staging-deploy-staging-1", "staging-1");
        Step unsafe = new Step("production-migrate", true, true, null, null, List.of(), false);
        List<Step> forward = List.of(safe, unsafe);
        Next again = StepLifecycle.next(new Position(Phase.FORWARD, 0, false, null), forward, List.of(),
                List.of(new Row(Phase.FORWARD, 0, safe.id(), Status.STARTED, 1)));
        assertEquals(new StepLifecycle.Run(0, 2, "re-run after an interruption (the step is safe to re-run)"), again);
        Next pause = StepLifecycle.next(new Position(Phase.FORWARD, 1, false, null), forward, List.of(),
                List.of(new Row(Phase.FORWARD, 0, safe.id(), Status.SUCCEEDED, 1), new Row(Phase.FORWARD, 1, unsafe.id(), Status.STARTED, 1)));
        assertInstanceOf(StepLifecycle.Pause.class, pause);
        assertTrue(((StepLifecycle.Pause) pause).interrupted());
        Next resumed = StepLifecycle.next(new Position(Phase.FORWARD, 1, false, null), forward, List.of(),
                List.of(new Row(Phase.FORWARD, 1, unsafe.id(), Status.INTERRUPTED, 1)));
        assertEquals(new StepLifecycle.Run(1, 2, "re-run after an interruption, resumed by an operator"), resumed);
        assertEquals(new StepLifecycle.Pause(0, "paused by an operator before step staging-deploy-staging-1", false),
                StepLifecycle.next(new Position(Phase.FORWARD, 0, true, null), forward, List.of(), List.of()));
        assertEquals(new StepLifecycle.Finish(DeploymentState.DEPLOYED), StepLifecycle.next(new Position(Phase.FORWARD, 2, false, null), forward,
                List.of(), List.of()));
    }

    @Test
    void afterAnAbortTheInstancesAreDescribedByWhatRan() {
        Plan plan = plan("CANARY");
        List<Row> rows = drive(plan, "canary-50", Status.SUCCEEDED, true);
        Map<String, Version> instances = StepLifecycle.instances(plan.forward(), plan.rollback(), rows);
        assertEquals(Map.of("prod-1", Version.NEW, "prod-2", Version.PREVIOUS), instances);
        assertEquals("prod-1 runs 1.2.0, prod-2 runs the previous version", StepLifecycle.describe(instances, "1.2.0"));
        List<Row> killed = drive(plan, "promote-prod-2", Status.STARTED, false);
        assertEquals(Version.UNKNOWN, StepLifecycle.instances(plan.forward(), plan.rollback(), killed).get("prod-2"));
    }
}
