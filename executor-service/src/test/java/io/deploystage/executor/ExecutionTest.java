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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
import io.deploystage.stack.RealStackTest;
import io.deploystage.stack.sample.SampleInstall;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The executor on the real stack, running real deploy tools (sample instances on localhost ports) and real smoke
 * tests: every strategy step by step with staging first, a staging failure that never touches production, rollback on
 * command and on a failing verdict (every instance asked for its version after), operator steering over REST, and one
 * deployment per service at a time. What a rollback undoes at each point of each strategy, the evidence rules of a
 * health step and the calendar's admissions are decided by pure functions, in the tables of StepLifecycleTest,
 * HealthGateTest and DeploymentCalendarTest; this class keeps what only the real stack shows.
 */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "executor"))
@WithTestResource(SampleToolsResource.class)
class ExecutionTest extends RealStackTest {

    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static SampleInstall.Installation sample;
    static TestPlans plans;
    static DeploymentRun run;

    @BeforeAll
    static void setUp() {
        sample = SampleToolsResource.installation();
        plans = new TestPlans(sample);
        run = new DeploymentRun(client);
    }

    /** A failed test must not leave a deployment that holds its service for the next one: abort what is still under way. */
    @AfterEach
    void abortLeftovers() {
        List<Map<String, Object>> all = given().auth().oauth2(token("olga", "operator")).get("/deployments").then().statusCode(200)
                .extract().jsonPath().getList("$");
        all.stream().filter(d -> List.of("QUEUED", "RUNNING", "PAUSED", "WAITING_FOR_WINDOW").contains(d.get("state")) && "FORWARD".equals(d.get("phase")))
                .forEach(d -> given().auth().oauth2(token("olga", "operator")).post("/deployments/{id}/abort", d.get("deploymentId")));
    }

    @AfterAll
    static void tearDown() {
        run.close();
    }

    /** Every step STARTED then SUCCEEDED, one after the other, in plan order, each with its duration. */
    static void assertRanInOrder(DeploymentPlan plan) {
        List<String> expected = new ArrayList<>();
        plan.getSteps().forEach(s -> {
            expected.add(s.getStepId() + " STARTED");
            expected.add(s.getStepId() + " SUCCEEDED");
        });
        List<StepEvent> steps = run.steps(plan);
        assertEquals(expected, steps.stream().map(s -> s.getStepId() + " " + s.getStatus()).toList());
        assertTrue(steps.stream().filter(s -> s.getStatus() == StepStatus.SUCCEEDED).allMatch(s -> s.getDurationMillis() != null));
        assertEquals(Environment.STAGING, steps.get(0).getEnvironment(), "staging first, always");
    }

    /** The sample tools' actions since {@code before}: staging's come first. */
    static List<String> actionsSince(int before) {
        List<String> all = sample.actions();
        return all.subList(before, all.size());
    }

    /** When the sample's tools first did {@code action} since {@code before}, by their own clock (epoch ms, logged as they act). */
    static long actedAt(int before, String action) {
        List<String> lines;
        try {
            lines = Files.readAllLines(sample.home().resolve("actions.log"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> since = lines.subList(before, lines.size());
        return since.stream().filter(l -> l.substring(l.indexOf(' ') + 1).equals(action)).mapToLong(l -> Long.parseLong(l.substring(0,
                l.indexOf(' ')))).findFirst().orElseThrow(() -> new AssertionError("the tools never did '" + action + "': " + since));
    }

    /** The deployment's first event for the step with that status. */
    static StepEvent event(DeploymentPlan plan, String stepId, StepStatus status) {
        return run.steps(plan).stream().filter(s -> s.getStepId().equals(stepId) && s.getStatus() == status).findFirst()
                .orElseThrow(() -> new AssertionError(stepId + " " + status + " was not announced: " + run.steps(plan).stream()
                        .map(s -> s.getStepId() + " " + s.getStatus()).toList()));
    }

    static void assertStagingFirst(List<String> actions, String version) {
        assertEquals("deploy staging staging-1 " + version, actions.get(0), "the first thing deployed is staging: " + actions);
        assertTrue(actions.stream().skip(1).noneMatch(a -> a.contains(" staging ")), actions.toString());
    }

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
        Instant until = Instant.now().plusSeconds(30);
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

    private DeploymentPlan queuePlan(String service, String version) {
        List<PlanStep> steps = List.of(TestPlans.health("staging-performance", Environment.STAGING),
                TestPlans.health("post-deploy-health", Environment.PRODUCTION));
        return TestPlans.plan(service, version, Strategy.DIRECT, steps, List.of());
    }

    private static long lastAt(DeploymentPlan plan) {
        return run.outcomes().stream().filter(o -> o.getDeploymentId().equals(plan.getEventId().toString())).findFirst().orElseThrow()
                .getOccurredAt().toEpochMilli();
    }

    private static void awaitState(String id, String state) {
        Await.until(Duration.ofSeconds(20), "deployment " + id + " to be " + state, () -> given().auth().oauth2(token("olga", "operator"))
                .get("/deployments/{id}", id).then().statusCode(200).extract().<String>path("state"), state::equals);
    }
}
