package io.deploystage.executor;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.Environment;
import io.deploystage.events.PlanStep;
import io.deploystage.events.RollbackCommand;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Strategy;
import io.deploystage.events.Verdict;
import io.deploystage.stack.Await;
import io.deploystage.stack.LocalStackResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Rollbacks on the real stack, every instance asked for its version after: on command and on a failing verdict, at each
 * point of each strategy a rollback can be reached from (mid-rollout, after DEPLOYED, after a canary's promotion, in
 * staging, after an abort), a late Critical finding, the colour that was live for blue/green, and a rollback that fails.
 */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "executor"))
@WithTestResource(SampleToolsResource.class)
class RollbackTest extends SampleDeploymentTest {

    @Test
    void blueGreenAlternatesColoursAcrossReleasesAndRollsBackToTheColourThatWasLive() {
        String service = "bg-" + UUID.randomUUID().toString().substring(0, 6);
        List<String> versions = List.of("2.0.31", "2.0.32", "2.0.33");
        List<String> idle = List.of("green", "blue", "green");
        DeploymentPlan last = null;
        for (int i = 0; i < versions.size(); i++) {
            int before = sample.actions().size();
            DeploymentPlan plan = run.start(plans.blueGreen(service, versions.get(i)), true);
            assertEquals(DeploymentResult.DEPLOYED, run.awaitOutcome(plan, TIMEOUT).getOutcome());
            String target = idle.get(i);
            String live = target.equals("blue") ? "green" : "blue";
            List<String> actions = actionsSince(before);
            assertStagingFirst(actions, versions.get(i));
            assertEquals(List.of("deploy production " + target + " " + versions.get(i), "traffic " + target + " 100"), actions.subList(1, 3),
                    "release " + (i + 1) + " goes to the idle colour " + target);
            assertEquals(versions.get(i), sample.runningVersion(target));
            StepEvent skipped = run.steps(plan).stream().filter(s -> s.getStepId().equals("deploy-" + live)).findFirst().orElseThrow();
            assertEquals(StepStatus.SKIPPED, skipped.getStatus());
            assertEquals(live + " is live: this release goes to the idle colour " + target, skipped.getDetail());
            last = plan;
        }
        // a breach in the third release's stabilization window: traffic goes back to blue, which runs the second release
        int before = sample.actions().size();
        DeploymentPlan third = last;
        client.publish(RollbackCommand.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(third.getReleaseId()).setOccurredAt(Instant.now())
                .setCausationId(null).setDeploymentId(third.getEventId().toString()).setRequestedBy("monitor-service")
                .setReason("error rate 9% exceeds 5%").build());
        assertEquals(DeploymentResult.ROLLED_BACK, run.awaitOutcome(third, DeploymentResult.ROLLED_BACK, TIMEOUT, s -> { }).getOutcome());
        assertEquals(List.of("traffic blue 100"), actionsSince(before));
        assertEquals("2.0.32", sample.runningVersion("blue"), "the colour live before the third release serves again");
        List<String> rollback = run.steps(third).stream().filter(s -> s.getStepId().startsWith("rollback-switch"))
                .map(s -> s.getStepId() + " " + s.getStatus()).toList();
        assertEquals(List.of("rollback-switch-to-green SKIPPED", "rollback-switch-to-blue STARTED", "rollback-switch-to-blue SUCCEEDED"), rollback);
        // and the next release goes to green again: blue is live
        int next = sample.actions().size();
        DeploymentPlan fourth = run.start(plans.blueGreen(service, "2.0.34"), true);
        assertEquals(DeploymentResult.DEPLOYED, run.awaitOutcome(fourth, TIMEOUT).getOutcome());
        assertEquals("deploy production green 2.0.34", actionsSince(next).get(1));
    }

    @Test
    void aCanaryRolledBackAfterPromotionReturnsEveryInstanceInReverseOrder() {
        sample.deploy("production", "prod-1", "2.1.0", ProcessHandle.current().pid());
        sample.deploy("production", "prod-2", "2.1.0", ProcessHandle.current().pid());
        DeploymentPlan plan = run.start(plans.canary("checkout", "2.1.1"), true);
        assertEquals(DeploymentResult.DEPLOYED, run.awaitOutcome(plan, TIMEOUT).getOutcome());
        assertEquals("2.1.1", sample.runningVersion("prod-2"), "promoted");
        int before = sample.actions().size();
        client.publish(RollbackCommand.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(plan.getReleaseId()).setOccurredAt(Instant.now())
                .setCausationId(null).setDeploymentId(plan.getEventId().toString()).setRequestedBy("monitor-service")
                .setReason("p95 latency 900ms exceeds 250ms in the stabilization window").build());
        assertEquals(DeploymentResult.ROLLED_BACK, run.awaitOutcome(plan, DeploymentResult.ROLLED_BACK, TIMEOUT, s -> { }).getOutcome());
        assertEquals(List.of("traffic prod-1 0", "deploy production prod-2 2.1.0", "deploy production prod-1 2.1.0"), actionsSince(before),
                "traffic back to stable, then the instances in reverse order");
        assertEquals("2.1.0", sample.runningVersion("prod-1"));
        assertEquals("2.1.0", sample.runningVersion("prod-2"));
    }

    /**
     * Direct, rolling and feature-flag deployments rolled back after their first production deploy failed a check, and
     * after DEPLOYED: every instance the deployment reached runs the previous version again, asked from the instance,
     * and the others were never touched.
     */
    @ParameterizedTest(name = "{0} rolled back {1}")
    @CsvSource({"DIRECT, MID_ROLLOUT", "DIRECT, AFTER_DEPLOYED", "ROLLING, MID_ROLLOUT", "ROLLING, AFTER_DEPLOYED", "FEATURE_FLAG, MID_ROLLOUT",
            "FEATURE_FLAG, AFTER_DEPLOYED"})
    void everyInstanceTheDeploymentReachedRunsThePreviousVersionAfterARollback(Strategy strategy, String point) {
        String previous = "2.4." + strategy.ordinal() + (point.startsWith("MID") ? "0" : "5");
        String version = previous + "-new";
        sample.deploy("production", "prod-1", previous, ProcessHandle.current().pid());
        sample.deploy("production", "prod-2", previous, ProcessHandle.current().pid());
        DeploymentPlan shape = switch (strategy) {
            case DIRECT -> plans.direct("checkout", version);
            case ROLLING -> plans.rolling("checkout", version);
            default -> plans.featureFlag("checkout", version, "flag-" + UUID.randomUUID().toString().substring(0, 6));
        };
        List<PlanStep> steps = new ArrayList<>(shape.getSteps());
        boolean mid = point.equals("MID_ROLLOUT");
        if (mid) {
            int first = steps.indexOf(steps.stream().filter(s -> "prod-1".equals(s.getInstance())).findFirst().orElseThrow());
            steps.add(first + 1, plans.smoke("break-after-prod-1", Environment.PRODUCTION, "prod-1", "/no-such-page", 200));
        }
        DeploymentPlan plan = run.start(TestPlans.plan("checkout", version, strategy, steps, shape.getRollbackProcedure()), true);
        if (mid) {
            DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT);
            assertEquals(DeploymentResult.ROLLED_BACK, outcome.getOutcome(), outcome.getReason());
        } else {
            assertEquals(DeploymentResult.DEPLOYED, run.awaitOutcome(plan, TIMEOUT).getOutcome());
            assertEquals(version, sample.runningVersion("prod-1"));
            client.publish(RollbackCommand.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(plan.getReleaseId()).setOccurredAt(Instant.now())
                    .setCausationId(null).setDeploymentId(plan.getEventId().toString()).setRequestedBy("monitor-service")
                    .setReason("error rate 7% exceeds 5% in the stabilization window").build());
            assertEquals(DeploymentResult.ROLLED_BACK, run.awaitOutcome(plan, DeploymentResult.ROLLED_BACK, TIMEOUT, s -> { }).getOutcome());
        }
        assertEquals(previous, sample.runningVersion("prod-1"), "asked from the instance");
        assertEquals(previous, sample.runningVersion("prod-2"), "asked from the instance");
        List<String> skipped = run.steps(plan).stream().filter(s -> s.getStepId().startsWith("rollback-prod") && s.getStatus() == StepStatus.SKIPPED)
                .map(StepEvent::getStepId).toList();
        boolean reachedProd2 = !mid && strategy != Strategy.FEATURE_FLAG;
        assertEquals(reachedProd2 || strategy == Strategy.FEATURE_FLAG ? List.of() : List.of("rollback-prod-2"), skipped,
                "only the instances the deployment reached are redeployed");
    }

    @Test
    void anAbortMidProductionSaysWhatRunsWhereAndALaterRollbackRestoresIt() {
        sample.deploy("production", "prod-1", "2.2.0", ProcessHandle.current().pid());
        sample.deploy("production", "prod-2", "2.2.0", ProcessHandle.current().pid());
        DeploymentPlan plan = run.start(plans.canary("checkout", "2.2.1"), true);
        String id = plan.getEventId().toString();
        AtomicBoolean aborted = new AtomicBoolean();
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT, step -> {
            if (step.getStepId().equals("bake-25") && step.getStatus() == StepStatus.STARTED && aborted.compareAndSet(false, true)) {
                given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON).body(Map.of("comment", "stop here"))
                        .post("/deployments/{id}/abort", id).then().statusCode(202);
            }
        });
        assertEquals(DeploymentResult.ABORTED, outcome.getOutcome());
        assertTrue(outcome.getReason().contains("prod-1 runs 2.2.1, prod-2 runs the previous version"), outcome.getReason());
        assertEquals("2.2.1", sample.runningVersion("prod-1"), "an abort stops where it is");
        given().auth().oauth2(token("olga", "operator")).get("/deployments/{id}", id).then().statusCode(200)
                .body("instances.prod-1", equalTo("2.2.1")).body("instances.prod-2", equalTo("previous"));

        int before = sample.actions().size();
        given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON).body(Map.of("comment", "restore"))
                .post("/deployments/{id}/rollback", id).then().statusCode(202);
        assertEquals(DeploymentResult.ROLLED_BACK, run.awaitOutcome(plan, DeploymentResult.ROLLED_BACK, TIMEOUT, s -> { }).getOutcome());
        assertEquals(List.of("traffic prod-1 0", "deploy production prod-1 2.2.0"), actionsSince(before), "prod-2 was never touched");
        assertEquals("2.2.0", sample.runningVersion("prod-1"));
        assertEquals("2.2.0", sample.runningVersion("prod-2"));
        String record = given().auth().oauth2(token("olga", "operator")).get("/deployments/{id}/deployment-checklist", id).then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/markdown")).extract().asString();
        assertTrue(record.contains("**Result**: ROLLED_BACK\n"), record);
        assertTrue(record.matches("(?s).*\\| production: COMMAND deploy-canary \\| [^\n]* \\| \\[x\\] done \\d{4}-\\d\\d-\\d\\d .*"), record);
        assertTrue(record.contains("| [ ] stopped"), "bake-25 was running when the abort came:\n" + record);
        assertTrue(record.contains("| [ ] skipped: not touched: promote-prod-2 never ran |"), record);
        assertTrue(record.contains("instances: prod-1 runs the previous version, prod-2 runs the previous version"), record);
        given().auth().oauth2(token("olga", "operator")).get("/deployments/{id}/deployment-checklist", UUID.randomUUID()).then().statusCode(404);
        given().get("/deployments/{id}/deployment-checklist", id).then().statusCode(401);
        assertEquals("rollback-prod-2 SKIPPED not touched: promote-prod-2 never ran", run.steps(plan).stream()
                .filter(s -> s.getStepId().equals("rollback-prod-2")).map(s -> s.getStepId() + " " + s.getStatus() + " " + s.getDetail())
                .findFirst().orElseThrow());
    }

    @Test
    void anOlderDeploymentIsNotRolledBackUnderANewerOne() {
        String service = "sup-" + UUID.randomUUID().toString().substring(0, 6);
        DeploymentPlan older = run.start(queuePlan(service, "2.3.0"), true);
        assertEquals(DeploymentResult.DEPLOYED, run.awaitOutcome(older, TIMEOUT).getOutcome());
        DeploymentPlan newer = run.start(queuePlan(service, "2.3.1"), false); // waits for health in staging: under way
        String newerId = newer.getEventId().toString();
        Await.until(Duration.ofSeconds(20), "the newer deployment to start", () -> given().auth().oauth2(token("olga", "operator"))
                .get("/deployments/{id}", newerId).then().extract().<String>path("state"), state -> "RUNNING".equals(state) || "PAUSED".equals(state));
        given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON).body(Map.of("comment", "breach"))
                .post("/deployments/{id}/rollback", older.getEventId().toString()).then().statusCode(409)
                .body("error", org.hamcrest.Matchers.containsString("superseded: deployment " + newerId));
        given().auth().oauth2(token("olga", "operator")).get("/deployments/{id}", older.getEventId().toString()).then().statusCode(200)
                .body("state", equalTo("DEPLOYED"));
        given().auth().oauth2(token("olga", "operator")).post("/deployments/{id}/abort", newerId).then().statusCode(202);
        assertEquals(DeploymentResult.ABORTED, run.awaitOutcome(newer, TIMEOUT).getOutcome());
    }

    @Test
    void aRollbackCommandInTheMiddleOfACanaryStopsItAndRunsTheRollbackProcedure() throws Exception {
        sample.deploy("production", "prod-1", "3.0.0", ProcessHandle.current().pid());
        String prod2 = sample.runningVersion("prod-2");
        int before = sample.actions().size();
        DeploymentPlan plan = run.start(plans.canary("checkout", "3.1.0"), true);
        AtomicBoolean sent = new AtomicBoolean();
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT, step -> {
            if (step.getStepId().equals("bake-25") && step.getStatus() == StepStatus.STARTED && sent.compareAndSet(false, true)) {
                client.publish(RollbackCommand.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(plan.getReleaseId())
                        .setOccurredAt(Instant.now()).setCausationId(null).setDeploymentId(plan.getEventId().toString())
                        .setRequestedBy("olga").setReason("operator saw checkout errors in the canary").build());
            }
        });
        assertEquals(DeploymentResult.ROLLED_BACK, outcome.getOutcome());
        assertTrue(outcome.getReason().contains("checkout errors"), outcome.getReason());
        List<String> statuses = run.steps(plan).stream().map(s -> s.getStepId() + " " + s.getStatus()).toList();
        int skipped = statuses.indexOf("bake-25 SKIPPED");
        assertTrue(skipped > statuses.indexOf("bake-25 STARTED"), statuses.toString());
        assertFalse(statuses.contains("canary-50 STARTED"), "no forward step after the rollback: " + statuses);
        assertEquals(List.of("rollback-canary-0 STARTED", "rollback-canary-0 SUCCEEDED", "rollback-prod-2 SKIPPED", "rollback-prod-1 STARTED",
                "rollback-prod-1 SUCCEEDED", "rollback-verify-health STARTED", "rollback-verify-health SUCCEEDED", "rollback-notify STARTED",
                "rollback-notify SUCCEEDED"), statuses.stream().filter(s -> s.startsWith("rollback-")).toList());
        List<String> actions = actionsSince(before);
        assertEquals(List.of("traffic prod-1 0", "deploy production prod-1 3.0.0"), actions.subList(actions.size() - 2, actions.size()));
        assertEquals(prod2, sample.runningVersion("prod-2"), "the instance the canary never reached is left alone");
        assertEquals("3.0.0", sample.runningVersion("prod-1"), "the canary runs the previous version again");
    }

    /** A BLOCKED decision of the gate for the plan's release, for one Critical finding. */
    static io.deploystage.events.GateDecision blocked(DeploymentPlan plan, Instant at, String finding) {
        return io.deploystage.events.GateDecision.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(plan.getReleaseId()).setOccurredAt(at)
                .setCausationId(null).setService(plan.getService()).setVersion(plan.getVersion())
                .setOutcome(io.deploystage.events.GateOutcome.BLOCKED)
                .setReasons(List.of(io.deploystage.events.GateReason.newBuilder().setStage(io.deploystage.events.GateStage.SECURITY)
                        .setRule("no-unresolved-critical").setFindingId(finding)
                        .setMessage("unresolved Critical finding " + finding + ": heap overflow in libexample").build()))
                .build();
    }

    @Test
    void aCriticalFindingReportedAfterClearanceRollsBackTheCanaryAndAnOlderBlockIsIgnored() {
        sample.deploy("production", "prod-1", "3.0.0", ProcessHandle.current().pid());
        DeploymentPlan plan = run.start(plans.canary("checkout", "3.2.0"), true);
        AtomicBoolean stale = new AtomicBoolean();
        AtomicBoolean late = new AtomicBoolean();
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT, step -> {
            if (stale.compareAndSet(false, true)) {
                // a BLOCKED from before the clearance this plan answers, read late: it stops nothing
                client.publish(blocked(plan, plan.getOccurredAt().minusSeconds(60), "CVE-2026-0001"));
            }
            if (step.getStepId().equals("bake-25") && step.getStatus() == StepStatus.STARTED && late.compareAndSet(false, true)) {
                client.publish(blocked(plan, Instant.now(), "CVE-2026-0002"));
            }
        });
        assertEquals(DeploymentResult.ROLLED_BACK, outcome.getOutcome());
        assertTrue(outcome.getReason().contains("the gate BLOCKED the release after clearing it: unresolved Critical finding CVE-2026-0002"),
                outcome.getReason());
        List<String> statuses = run.steps(plan).stream().map(s -> s.getStepId() + " " + s.getStatus()).toList();
        assertTrue(statuses.contains("bake-25 STARTED"), "the stale block stopped nothing: " + statuses);
        assertFalse(statuses.contains("canary-50 STARTED"), "no forward step after the late block: " + statuses);
        assertEquals("3.0.0", sample.runningVersion("prod-1"), "the canary runs the previous version again");
    }

    @Test
    void aRollbackOrderedDuringStagingStopsTheDeploymentWithoutTouchingProduction() {
        int before = sample.actions().size();
        DeploymentPlan plan = run.start(plans.direct("checkout", "3.4.0"), true);
        AtomicBoolean sent = new AtomicBoolean();
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT, step -> {
            if (step.getStepId().equals("staging-performance") && step.getStatus() == StepStatus.STARTED && sent.compareAndSet(false, true)) {
                client.publish(RollbackCommand.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(plan.getReleaseId())
                        .setOccurredAt(Instant.now()).setCausationId(null).setDeploymentId(plan.getEventId().toString())
                        .setRequestedBy("monitor-service").setReason("p95 latency 900ms exceeds 250ms in staging").build());
            }
        });
        assertEquals(DeploymentResult.FAILED, outcome.getOutcome(), "nothing in production to roll back");
        assertTrue(outcome.getReason().contains("before production was touched"), outcome.getReason());
        assertEquals(List.of("deploy staging staging-1 3.4.0"), actionsSince(before), "no production command, no rollback command ran");
        assertTrue(run.steps(plan).stream().noneMatch(s -> s.getStepId().startsWith("rollback-")));
    }

    @Test
    void aFailingVerdictDuringABakeRollsBack() {
        sample.deploy("production", "prod-1", "3.2.0", ProcessHandle.current().pid());
        DeploymentPlan plan = run.start(plans.canary("checkout", "3.3.0"), true);
        AtomicBoolean sent = new AtomicBoolean();
        List<StepEvent> bake = new ArrayList<>();
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT, step -> {
            if (step.getStepId().equals("bake-5") && step.getStatus() == StepStatus.STARTED && sent.compareAndSet(false, true)) {
                run.stopAnsweringHealthy(plan);
                client.publish(DeploymentRun.verdict(plan, Verdict.FAILING, "error rate 31% exceeds 5% (baseline 0.1%)"));
            }
            if (step.getStepId().equals("bake-5") && step.getStatus() == StepStatus.FAILED) {
                bake.add(step);
            }
        });
        assertEquals(DeploymentResult.ROLLED_BACK, outcome.getOutcome());
        // the step read the verdict when it was committed: before its window (1.5 s here) ended, though it polls only
        // every 30 s in these tests (the step would otherwise have judged at its deadline, window + freshness = 2.5 s)
        assertEquals(1, bake.size());
        assertTrue(bake.get(0).getDurationMillis() < 1500, "bake-5 failed after " + bake.get(0).getDurationMillis() + " ms");
        assertTrue(outcome.getReason().contains("bake-5 failed: ERROR_RATE FAILING: error rate 31% exceeds 5%"), outcome.getReason());
        assertEquals("3.2.0", sample.runningVersion("prod-1"));
    }

    @Test
    void aRollbackThatFailsEndsFailedAndSaysSoInTypedFieldsForThePage() {
        List<PlanStep> steps = plans.staging("4.4.0");
        steps.add(plans.deploy("production-deploy-prod-1", Environment.PRODUCTION, "prod-1", "4.4.0"));
        steps.add(TestPlans.command("production-deploy-prod-2", Environment.PRODUCTION, List.of("false"), false)); // exits 1
        DeploymentPlan planned = TestPlans.plan("checkout", "4.4.0", Strategy.ROLLING, steps, List.of(
                TestPlans.undoing(TestPlans.command("rollback-prod-1", Environment.PRODUCTION, List.of("false"), false), "production-deploy-prod-1"),
                TestPlans.notify("rollback-notify")));
        planned.setEscalationContact("dana (team lead)");
        String previous = sample.runningVersion("prod-1");
        DeploymentPlan plan = run.start(planned, true);
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT);
        assertEquals(DeploymentResult.FAILED, outcome.getOutcome());
        assertTrue(outcome.getRollbackFailed(), "typed: the notifier pages on it without reading the reason");
        assertEquals("dana (team lead)", outcome.getEscalationContact());
        assertTrue(outcome.getReason().startsWith("rollback production step rollback-prod-1 failed"), outcome.getReason());
        assertEquals("4.4.0", sample.runningVersion("prod-1"), "asked from the instance: the bad version is still there, as the page says");
        if (previous != null) {
            sample.deploy("production", "prod-1", previous, ProcessHandle.current().pid()); // the human who took over
        }
    }
}
