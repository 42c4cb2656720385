package io.deploystage.executor;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.Environment;
import io.deploystage.events.PlanStep;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Strategy;
import io.deploystage.stack.LocalStackResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The executor on the real stack, running real deploy tools (sample instances on localhost ports) and real smoke
 * tests: every strategy step by step with staging first, a staging failure that never touches production, operator
 * steering over REST, the deployment calendar and one deployment per service at a time. Rollbacks are RollbackTest's.
 * What a rollback undoes at each point of each strategy, the evidence rules of a health step and the calendar's
 * admissions are decided by pure functions, in the tables of StepLifecycleTest, HealthGateTest and
 * DeploymentCalendarTest; this class keeps what only the real stack shows.
 */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "executor"))
@WithTestResource(SampleToolsResource.class)
class ExecutionTest extends SampleDeploymentTest {

    @Test
    void directReplacesEveryInstanceAfterStaging() {
        int before = sample.actions().size();
        DeploymentPlan plan = run.start(plans.direct("checkout", "2.0.1"), true);
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT);
        assertEquals(DeploymentResult.DEPLOYED, outcome.getOutcome());
        assertRanInOrder(plan);
        List<String> actions = actionsSince(before);
        assertStagingFirst(actions, "2.0.1");
        assertEquals(List.of("deploy production prod-1 2.0.1", "deploy production prod-2 2.0.1"), actions.subList(1, 3));
        assertEquals("2.0.1", sample.runningVersion("prod-1"));
        assertEquals("2.0.1", sample.runningVersion("prod-2"));
    }

    @Test
    void rollingUpdatesOneInstanceAtATimeWithAHealthCheckBetween() {
        int before = sample.actions().size();
        DeploymentPlan plan = run.start(plans.rolling("checkout", "2.0.2"), true);
        assertEquals(DeploymentResult.DEPLOYED, run.awaitOutcome(plan, TIMEOUT).getOutcome());
        assertRanInOrder(plan);
        List<String> actions = actionsSince(before);
        assertStagingFirst(actions, "2.0.2");
        assertEquals(List.of("deploy production prod-1 2.0.2", "deploy production prod-2 2.0.2"), actions.subList(1, 3));
        // by the tools' own clock: prod-2 changed only after prod-1's health check passed, on a window begun after
        // prod-1 changed (assertRanInOrder has the order of the events; this is when the instances themselves changed)
        StepEvent verifying = event(plan, "verify-prod-1", StepStatus.STARTED);
        StepEvent verified = event(plan, "verify-prod-1", StepStatus.SUCCEEDED);
        assertTrue(verified.getDetail().startsWith("1 check(s) HEALTHY through the window"), "a health check passed, not a policy: "
                + verified.getDetail());
        long prod1 = actedAt(before, "deploy production prod-1 2.0.2");
        long prod2 = actedAt(before, "deploy production prod-2 2.0.2");
        assertTrue(prod1 <= verifying.getOccurredAt().toEpochMilli(), "prod-1 changed at " + prod1 + ", its check began at "
                + verifying.getOccurredAt().toEpochMilli());
        assertTrue(prod2 >= verified.getOccurredAt().toEpochMilli(), "prod-2 changed at " + prod2 + ", before prod-1's check passed at "
                + verified.getOccurredAt().toEpochMilli());
        assertEquals("2.0.2", sample.runningVersion("prod-1"));
        assertEquals("2.0.2", sample.runningVersion("prod-2"));
    }

    @Test
    void canaryStepsItsTrafficUpWithABakeAtEachWeightThenPromotes() {
        int before = sample.actions().size();
        DeploymentPlan plan = run.start(plans.canary("checkout", "2.0.4"), true);
        assertEquals(DeploymentResult.DEPLOYED, run.awaitOutcome(plan, TIMEOUT).getOutcome());
        assertRanInOrder(plan);
        List<String> actions = actionsSince(before);
        assertStagingFirst(actions, "2.0.4");
        assertEquals(List.of("deploy production prod-1 2.0.4", "traffic prod-1 5", "traffic prod-1 25", "traffic prod-1 50",
                "traffic prod-1 100", "deploy production prod-2 2.0.4"), actions.subList(1, 7));
        assertEquals("2.0.4", sample.runningVersion("prod-1"));
        assertEquals("2.0.4", sample.runningVersion("prod-2"));
    }

    @Test
    void featureFlagDeploysDarkThenRollsTheFlagOutInTheBuiltInStore() {
        String flag = "checkout-flow-" + UUID.randomUUID().toString().substring(0, 6);
        int before = sample.actions().size();
        DeploymentPlan plan = run.start(plans.featureFlag("checkout", "2.0.5", flag), true);
        List<Boolean> seenByUser = new ArrayList<>();
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT, step -> {
            if (step.getStepId().equals("flag-" + flag + "-internal") && step.getStatus() == StepStatus.SUCCEEDED) {
                seenByUser.add(FlagStoreTest.evaluate(flag, "some-user"));
            }
        });
        assertEquals(DeploymentResult.DEPLOYED, outcome.getOutcome());
        assertRanInOrder(plan);
        assertStagingFirst(actionsSince(before), "2.0.5");
        assertEquals(List.of(false), seenByUser, "internal users only: an ordinary user does not see the flag yet");
        given().auth().oauth2(token("olga", "operator")).get("/flags/{key}", flag).then().statusCode(200)
                .body("enabled", equalTo(true)).body("rolloutPercent", equalTo(100));
        assertTrue(FlagStoreTest.evaluate(flag, "some-user"), "at 100% everyone has it");
    }

    @Test
    void aStagingFailureStopsEverythingAndProductionIsNeverTouched() {
        int before = sample.actions().size();
        DeploymentPlan good = plans.direct("checkout", "2.0.6");
        List<PlanStep> steps = new ArrayList<>(good.getSteps());
        steps.set(1, plans.smoke("staging-smoke-health", Environment.STAGING, "staging-1", "/no-such-page", 200));
        DeploymentPlan plan = TestPlans.plan("checkout", "2.0.6", Strategy.DIRECT, steps, good.getRollbackProcedure());
        run.start(plan, true);
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT);
        assertEquals(DeploymentResult.FAILED, outcome.getOutcome());
        assertTrue(outcome.getReason().contains("staging step staging-smoke-health failed") && outcome.getReason().contains("production was not"
                + " touched"), outcome.getReason());
        assertEquals(List.of("deploy staging staging-1 2.0.6"), actionsSince(before), "no production command ran");
        List<StepEvent> events = run.steps(plan);
        assertEquals(StepStatus.FAILED, events.stream().filter(s -> s.getStepId().equals("staging-smoke-health")).reduce((a, b) -> b)
                .orElseThrow().getStatus());
        assertTrue(events.stream().filter(s -> s.getEnvironment() == Environment.PRODUCTION).allMatch(s -> s.getStatus() == StepStatus.SKIPPED),
                "production steps are announced SKIPPED, never STARTED");
        assertEquals(plan.getSteps().size() - 2, events.stream().filter(s -> s.getStatus() == StepStatus.SKIPPED).count());
    }

    @Test
    void operatorsApprovePauseResumeOverRoleCheckedRest() {
        List<PlanStep> steps = plans.staging("4.0.0");
        steps.add(TestPlans.approval("senior-approval", "senior"));
        steps.add(plans.deploy("production-deploy-prod-2", Environment.PRODUCTION, "prod-2", "4.0.0"));
        // the first REST call of a JVM loads RestAssured (seconds): not while the staging health wait below needs its verdicts
        given().auth().oauth2(token("olga", "operator")).get("/deployments/{id}", UUID.randomUUID()).then().statusCode(404);
        DeploymentPlan requested = TestPlans.plan("checkout", "4.0.0", Strategy.DIRECT, steps, List.of(TestPlans.notify("rollback-notify")));
        requested.setRequestedBy("rita");
        DeploymentPlan plan = run.start(requested, true);
        String id = plan.getEventId().toString();
        List<String> log = new ArrayList<>();
        AtomicBoolean early = new AtomicBoolean();
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT, step -> {
            if (!early.getAndSet(true)) {
                // the first step has begun, the approval step has not: an approval now counts for nothing and is refused
                given().auth().oauth2(token("sam", "senior")).contentType(ContentType.JSON).body(Map.of("stepId", "senior-approval"))
                        .post("/deployments/{id}/approve", id).then().statusCode(409)
                        .body("error", containsString("step senior-approval is not waiting for an approval"));
            }
            if (step.getStepId().equals("senior-approval") && step.getStatus() == StepStatus.STARTED) {
                given().post("/deployments/{id}/pause", id).then().statusCode(401);
                given().auth().oauth2(token("olga", "operator")).post("/deployments/{id}/resume", id).then().statusCode(409);
                given().auth().oauth2(token("olga", "operator")).post("/deployments/{id}/pause", id).then().statusCode(202);
                given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON).body(Map.of())
                        .post("/deployments/{id}/approve", id).then().statusCode(403);
                given().auth().oauth2(token("rita", "senior")).contentType(ContentType.JSON).body(Map.of())
                        .post("/deployments/{id}/approve", id).then().statusCode(403).body("error", startsWith("self-approval refused"));
                given().auth().oauth2(token("dana", "approver")).contentType(ContentType.JSON).body(Map.of())
                        .post("/deployments/{id}/approve", id).then().statusCode(403).body("error", containsString("needs an approval by the role senior"));
                given().auth().oauth2(token("sam", "senior")).contentType(ContentType.JSON).body(Map.of("comment", "looks good"))
                        .post("/deployments/{id}/approve", id).then().statusCode(202);
            }
            if (step.getStepId().equals("senior-approval") && step.getStatus() == StepStatus.SUCCEEDED) {
                log.add(step.getDetail());
                awaitState(id, "PAUSED");
                given().auth().oauth2(token("olga", "operator")).get("/deployments/{id}", id).then().statusCode(200)
                        .body("reason", equalTo("paused by an operator before step production-deploy-prod-2"));
                given().auth().oauth2(token("olga", "operator")).post("/deployments/{id}/resume", id).then().statusCode(202);
            }
        });
        assertEquals(DeploymentResult.DEPLOYED, outcome.getOutcome());
        assertEquals(List.of("approved by sam"), log);
        given().auth().oauth2(token("olga", "operator")).post("/deployments/{id}/pause", UUID.randomUUID()).then().statusCode(404);
    }

    static io.deploystage.events.CalendarRules freeze(Instant from, Instant until, String reason) {
        return io.deploystage.events.CalendarRules.newBuilder().setZone("Europe/Berlin").setWindows(List.of())
                .setFreezes(List.of(io.deploystage.events.CalendarFreeze.newBuilder().setFrom(from).setUntil(until).setReason(reason).build())).build();
    }

    @Test
    void productionWaitsForTheDeploymentWindowThenStartsOnItsOwn() {
        String previous = sample.runningVersion("prod-1");
        DeploymentPlan planned = plans.direct("checkout", "4.2.0");
        // staging (about 3 s here) runs inside the freeze, production waits for its end
        Instant until = Instant.now().plusSeconds(20);
        planned.setCalendar(freeze(Instant.now().minusSeconds(60), until, "release train cut-off"));
        DeploymentPlan plan = run.start(planned, true);
        String id = plan.getEventId().toString();
        List<String> whileWaiting = new ArrayList<>();
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT, step -> {
            if (step.getStatus() == StepStatus.WAITING) {
                awaitState(id, "WAITING_FOR_WINDOW");
                given().auth().oauth2(token("olga", "operator")).get("/deployments/{id}", id).then().statusCode(200)
                        .body("reason", containsString("deployment freeze until")).body("reason", containsString("release train cut-off"));
                // not an operator's to override
                given().auth().oauth2(token("olga", "operator")).post("/deployments/{id}/resume", id).then().statusCode(409)
                        .body("error", containsString("waits for its deployment window"));
                whileWaiting.add(step.getStepId() + " " + sample.runningVersion("prod-1"));
            }
        });
        assertEquals(DeploymentResult.DEPLOYED, outcome.getOutcome(), outcome.getReason());
        assertEquals(List.of("production-deploy-prod-1 " + previous), whileWaiting, "asked from the instance: production untouched while waiting");
        StepEvent first = run.steps(plan).stream().filter(s -> s.getStepId().equals("production-deploy-prod-1") && s.getStatus() == StepStatus.STARTED)
                .findFirst().orElseThrow();
        assertFalse(first.getOccurredAt().isBefore(until), "production started at " + first.getOccurredAt() + ", the freeze ended at " + until);
        assertTrue(run.steps(plan).stream().filter(s -> s.getEnvironment() == Environment.STAGING).allMatch(s -> s.getOccurredAt().isBefore(until)),
                "staging does not wait for the window");
        assertEquals("4.2.0", sample.runningVersion("prod-1"));
    }

    /** A hotfix (staging, a senior approval, prod-2) requested by rita, in a freeze of the next hour. */
    private DeploymentPlan hotfixInAFreeze(String version, String incident) {
        List<PlanStep> steps = plans.staging(version);
        steps.add(TestPlans.approval("senior-approval", "senior"));
        steps.add(plans.deploy("production-deploy-prod-2", Environment.PRODUCTION, "prod-2", version));
        DeploymentPlan planned = TestPlans.plan("checkout", version, Strategy.DIRECT, steps, List.of(TestPlans.notify("rollback-notify")));
        planned.setRequestedBy("rita");
        planned.setIncidentId(incident);
        planned.setCalendar(freeze(Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), "year-end freeze"));
        return planned;
    }

    @Test
    void aHotfixGoesOutInAFreezeOnceASeniorApprovalNamesItsIncident() {
        DeploymentPlan plan = run.start(hotfixInAFreeze("4.3.0", "INC-4711"), true);
        String id = plan.getEventId().toString();
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT, step -> {
            if (step.getStepId().equals("senior-approval") && step.getStatus() == StepStatus.STARTED) {
                given().auth().oauth2(token("sam", "senior")).contentType(ContentType.JSON).body(Map.of("comment", "INC-4711: checkout is down, ship it"))
                        .post("/deployments/{id}/approve", id).then().statusCode(202);
            }
        });
        assertEquals(DeploymentResult.DEPLOYED, outcome.getOutcome(), outcome.getReason());
        StepEvent started = run.steps(plan).stream().filter(s -> s.getStepId().equals("production-deploy-prod-2") && s.getStatus() == StepStatus.STARTED)
                .findFirst().orElseThrow();
        assertTrue(started.getDetail().contains("hotfix INC-4711 goes out in the freeze (year-end freeze)"), started.getDetail());
        assertEquals("4.3.0", sample.runningVersion("prod-2"));
    }

    @Test
    void inconclusiveHealthPausesForAHumanAndAnAbortEndsTheDeployment() {
        DeploymentPlan plan = run.start(plans.direct("checkout", "4.1.0"), false); // no verdict will come
        String id = plan.getEventId().toString();
        AtomicBoolean aborted = new AtomicBoolean();
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT, step -> {
            if (step.getStepId().equals("staging-performance") && step.getStatus() == StepStatus.STARTED && aborted.compareAndSet(false, true)) {
                awaitState(id, "PAUSED");
                given().auth().oauth2(token("olga", "operator")).get("/deployments/{id}", id).then().statusCode(200)
                        .body("reason", org.hamcrest.Matchers.containsString("ERROR_RATE: no verdict for STAGING CANARY since the step began"));
                given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON).body(Map.of("comment", "metrics pipeline is down"))
                        .post("/deployments/{id}/abort", id).then().statusCode(202);
            }
        });
        assertEquals(DeploymentResult.ABORTED, outcome.getOutcome());
        assertTrue(outcome.getReason().contains("metrics pipeline is down"), outcome.getReason());
        assertTrue(run.steps(plan).stream().filter(s -> s.getEnvironment() == Environment.PRODUCTION)
                .allMatch(s -> s.getStatus() == StepStatus.SKIPPED));
    }

    @Test
    void oneDeploymentPerServiceAtATimeWhileOtherServicesDeployConcurrently() {
        DeploymentPlan first = run.start(queuePlan("queued-svc", "5.0.0"), true);
        DeploymentPlan second = run.start(queuePlan("queued-svc", "5.0.1"), true);
        DeploymentPlan other = run.start(queuePlan("other-svc", "5.0.2"), true);
        assertEquals(DeploymentResult.DEPLOYED, run.awaitOutcome(first, TIMEOUT).getOutcome());
        assertEquals(DeploymentResult.DEPLOYED, run.awaitOutcome(other, TIMEOUT).getOutcome());
        assertEquals(DeploymentResult.DEPLOYED, run.awaitOutcome(second, TIMEOUT).getOutcome(), "queued behind the first, not refused");
        // each ran every step (none is left out of the comparison below, which an empty list would pass)
        assertRanInOrder(first);
        assertRanInOrder(second);
        assertRanInOrder(other);
        long firstEnded = lastAt(first);
        List<String> early = run.steps(second).stream().filter(s -> s.getOccurredAt().toEpochMilli() < firstEnded)
                .map(s -> s.getStepId() + " " + s.getStatus() + " at " + s.getOccurredAt().toEpochMilli()).toList();
        assertEquals(List.of(), early, "the second deployment of queued-svc waits for the first, which ended at " + firstEnded);
        long otherBegan = run.steps(other).get(0).getOccurredAt().toEpochMilli();
        assertTrue(otherBegan < firstEnded, "another service does not wait: " + otherBegan + " >= " + firstEnded);
    }

    @Test
    void valuesThatTryToReachAShellAreJustArguments() throws Exception {
        Path marker = sample.home().resolve("pwned-" + UUID.randomUUID());
        List<PlanStep> steps = List.of(TestPlans.command("staging-deploy", Environment.STAGING, List.of(sample.deployTool(), "--environment",
                "staging", "--instance", "staging-1", "--version", "1.0.0;touch " + marker), false),
                TestPlans.command("staging-deploy-2", Environment.STAGING, List.of(sample.deployTool(), "--instance", "$(touch " + marker + ")",
                        "--version", "1.0.0"), false),
                plans.deploy("production-deploy", Environment.PRODUCTION, "prod-2", "1.0.0"));
        DeploymentPlan plan = run.start(TestPlans.plan("checkout", "1.0.0", Strategy.DIRECT, steps, List.of()), true);
        DeploymentOutcome outcome = run.awaitOutcome(plan, TIMEOUT);
        assertEquals(DeploymentResult.FAILED, outcome.getOutcome());
        assertTrue(outcome.getReason().contains("bad version"), outcome.getReason());
        // the outcome comes after both commands have exited: anything they started would have written the marker
        assertFalse(Files.exists(marker), "nothing from the plan's text was run by a shell");
    }

    private static long lastAt(DeploymentPlan plan) {
        return run.outcomes().stream().filter(o -> o.getDeploymentId().equals(plan.getEventId().toString())).findFirst().orElseThrow()
                .getOccurredAt().toEpochMilli();
    }
}
