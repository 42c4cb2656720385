package io.deploystage.executor;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.Environment;
import io.deploystage.events.PlanStep;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Strategy;
import io.deploystage.stack.Await;
import io.deploystage.stack.RealStackTest;
import io.deploystage.stack.sample.SampleInstall;

/**
 * What the executor's real-stack tests share: the sample's tools installed once (real instances on localhost ports), the
 * plans they deploy, a stand-in monitor answering health waits, and what the tools did, asked from them. A deployment a
 * failed test left under way is aborted after it, so it holds its service for no later test.
 */
abstract class SampleDeploymentTest extends RealStackTest {

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

    static void awaitState(String id, String state) {
        Await.until(Duration.ofSeconds(20), "deployment " + id + " to be " + state, () -> given().auth().oauth2(token("olga", "operator"))
                .get("/deployments/{id}", id).then().statusCode(200).extract().<String>path("state"), state::equals);
    }

    /** A direct plan with no commands (two health waits): it only queues behind, or runs beside, other deployments. */
    static DeploymentPlan queuePlan(String service, String version) {
        List<PlanStep> steps = List.of(TestPlans.health("staging-performance", Environment.STAGING),
                TestPlans.health("post-deploy-health", Environment.PRODUCTION));
        return TestPlans.plan(service, version, Strategy.DIRECT, steps, List.of());
    }
}
