package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.Environment;
import io.deploystage.events.PlanStep;
import io.deploystage.events.RiskLevel;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepKind;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Strategy;
import io.deploystage.events.Topics;
import io.deploystage.stack.Await;
import io.deploystage.stack.SampleEvents;
import io.deploystage.stack.ServiceProcess;
import io.deploystage.stack.sample.SampleInstall;

/**
 * kill -9 of the executor in the middle of a deployment: after a restart it resumes where it stopped. A finished
 * step never runs again; the interrupted one runs again only if the plan says it is safe to, otherwise the deployment
 * waits for an operator with the reason.
 */
@Isolated
class ExecutorResumeTest {

    /** The service this class releases: the sample installed under its own name, with 6 s health waits (RunningSystem). */
    static final String SERVICE = "resume-checkout";

    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void killedDuringAHealthWaitItResumesAndNoStepRunsTwice() {
        RunningSystem system = RunningSystem.get();
        ServiceProcess executor = system.service("executor-service");
        String releaseId = "rel-" + UUID.randomUUID();
        String version = "6.0." + (System.nanoTime() % 1000);
        SampleInstall.Installation sample = system.sample(SERVICE); // its health waits last 6 s: long enough to be killed in
        try (var reader = system.client.reader(List.of(Topics.STEP_EVENTS, Topics.DEPLOYMENT_OUTCOMES))) {
            system.client.publish(SampleEvents.backendReleaseCandidate(releaseId, SERVICE, version)); // rolling: fewer 6 s waits
            SampleEvents.passingGates(releaseId).forEach(system.client::publish);

            reader.awaitUntil(records -> Trail.of(records, releaseId, StepEvent.class).stream().anyMatch(s -> s.getStatus() == StepStatus.STARTED
                    && s.getEnvironment() == Environment.PRODUCTION && (s.getStepId().startsWith("verify-")
                    || s.getStepId().startsWith("bake-") || s.getStepId().equals("post-deploy-health"))), Duration.ofSeconds(90), "a production health wait");
            executor.kill9();
            executor.start();
            reader.awaitUntil(records -> !Trail.of(records, releaseId, DeploymentOutcome.class).isEmpty(), Duration.ofSeconds(120), "the outcome");

            assertEquals(DeploymentResult.DEPLOYED, Trail.of(reader.seen(), releaseId, DeploymentOutcome.class).get(0).getOutcome());
            List<StepEvent> steps = distinct(Trail.of(reader.seen(), releaseId, StepEvent.class));
            Map<String, Long> succeeded = count(steps, StepStatus.SUCCEEDED);
            assertTrue(succeeded.values().stream().allMatch(n -> n == 1), "every step succeeded exactly once: " + succeeded);
            Map<String, Long> started = count(steps, StepStatus.STARTED);
            List<String> again = started.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
            assertEquals(1, again.size(), "only the interrupted step started again: " + started);
            assertTrue(steps.stream().anyMatch(s -> s.getStepId().equals(again.get(0)) && s.getStatus() == StepStatus.STARTED
                    && "re-run after an interruption (the step is safe to re-run)".equals(s.getDetail())));
            List<String> deploys = sample.actions().stream().filter(a -> a.startsWith("deploy ") && a.endsWith(" " + version)).toList();
            assertEquals(deploys.stream().distinct().toList(), deploys, "no deploy command ran twice");
            assertTrue(deploys.size() >= 2, "staging and production were deployed: " + deploys);
        }
    }

    @Test
    void killedDuringACommandThatIsNotSafeToRerunItWaitsForAnOperator() throws Exception {
        RunningSystem system = RunningSystem.get();
        ServiceProcess executor = system.service("executor-service");
        DeploymentPlan plan = slowPlan();
        String id = plan.getEventId().toString();
        try (var reader = system.client.reader(List.of(Topics.STEP_EVENTS, Topics.DEPLOYMENT_OUTCOMES))) {
            killWhileRunning(system, executor, reader, plan, "staging-migrate");
            resume(system, executor, id);

            reader.awaitUntil(records -> !Trail.of(records, plan.getReleaseId(), DeploymentOutcome.class).isEmpty(), Duration.ofSeconds(60),
                    "the outcome");
            assertEquals(DeploymentResult.DEPLOYED, Trail.of(reader.seen(), plan.getReleaseId(), DeploymentOutcome.class).get(0).getOutcome());
            // delivery on the topic is at least once (a kill -9 just after a publish re-publishes it, with the same eventId);
            // consumers apply each eventId once, and so does this count
            List<StepEvent> migrate = distinct(Trail.of(reader.seen(), plan.getReleaseId(), StepEvent.class)).stream()
                    .filter(s -> s.getStepId().equals("staging-migrate")).toList();
            // the pause announced the interruption (INTERRUPTED), the operator's resume ran it again
            assertEquals(List.of("STARTED null", "INTERRUPTED", "STARTED re-run after an interruption, resumed by an operator", "SUCCEEDED"),
                    migrate.stream().map(s -> s.getStatus() + (s.getStatus() == StepStatus.STARTED ? " " + s.getDetail() : "")).toList());
        }
    }

    @Test
    void killedDuringARollbackStepThatIsNotSafeToRerunItPausesAndAnnouncesItWithTheEscalationContact() throws Exception {
        RunningSystem system = RunningSystem.get();
        ServiceProcess executor = system.service("executor-service");
        DeploymentPlan plan = failingPlanWithSlowRollback();
        String id = plan.getEventId().toString();
        try (var reader = system.client.reader(List.of(Topics.STEP_EVENTS, Topics.DEPLOYMENT_OUTCOMES))) {
            killWhileRunning(system, executor, reader, plan, "rollback-prod-1");
            reader.awaitUntil(records -> Trail.of(records, plan.getReleaseId(), StepEvent.class).stream()
                    .anyMatch(s -> s.getStatus() == StepStatus.INTERRUPTED), Duration.ofSeconds(30), "the interruption announced");
            StepEvent interrupted = Trail.of(reader.seen(), plan.getReleaseId(), StepEvent.class).stream()
                    .filter(s -> s.getStatus() == StepStatus.INTERRUPTED).findFirst().orElseThrow();
            assertEquals("rollback-prod-1", interrupted.getStepId());
            assertTrue(interrupted.getRollback(), "a rollback step");
            assertEquals("dana (team lead)", interrupted.getEscalationContact(), "the notifier pages the plan's contact with it");
            assertTrue(interrupted.getDetail().contains("not declared safe to re-run"), interrupted.getDetail());
            assertTrue(Trail.of(reader.seen(), plan.getReleaseId(), DeploymentOutcome.class).isEmpty(), "no outcome while it waits");
            resume(system, executor, id);
            reader.awaitUntil(records -> !Trail.of(records, plan.getReleaseId(), DeploymentOutcome.class).isEmpty(), Duration.ofSeconds(60),
                    "the outcome");
            assertEquals(DeploymentResult.ROLLED_BACK, Trail.of(reader.seen(), plan.getReleaseId(), DeploymentOutcome.class).get(0).getOutcome());
        }
    }

    /** Publishes the plan, kill -9s the executor while the step runs, restarts it: the deployment is PAUSED on that step. */
    private static void killWhileRunning(RunningSystem system, ServiceProcess executor, io.deploystage.stack.EventClient.Reader reader,
            DeploymentPlan plan, String stepId) {
        system.client.publish(plan);
        reader.awaitUntil(records -> Trail.of(records, plan.getReleaseId(), StepEvent.class).stream()
                .anyMatch(s -> s.getStepId().equals(stepId) && s.getStatus() == StepStatus.STARTED), Duration.ofSeconds(60), stepId + " to start");
        executor.kill9();
        executor.start();
        Map<?, ?> paused = awaitState(system, executor, plan.getEventId().toString(), "PAUSED");
        assertTrue(String.valueOf(paused.get("reason")).contains(stepId + " was interrupted"), paused.toString());
    }

    /** An operator resumes the deployment. */
    private static void resume(RunningSystem system, ServiceProcess executor, String id) throws Exception {
        HttpResponse<String> resumed = HTTP.send(HttpRequest.newBuilder(URI.create(executor.baseUrl() + "/deployments/" + id + "/resume"))
                .header("Authorization", "Bearer " + system.stack.tokens().mint("olga", "operator"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, resumed.statusCode(), resumed.body());
    }

    /** Staging passes, the production deploy fails, and the rollback step that returns prod-1 is slow and not safe to re-run. */
    private static DeploymentPlan failingPlanWithSlowRollback() {
        UUID id = UUID.randomUUID();
        PlanStep staging = PlanStep.newBuilder().setStepId("staging-deploy").setEnvironment(Environment.STAGING).setKind(StepKind.COMMAND)
                .setAction("Deploy to staging").setCommand(List.of("true")).setExpectedOutcome("done").setIdempotent(true).build();
        PlanStep production = PlanStep.newBuilder().setStepId("prod-deploy").setEnvironment(Environment.PRODUCTION).setKind(StepKind.COMMAND)
                .setAction("Deploy to prod-1").setCommand(List.of("false")).setExpectedOutcome("done").setIdempotent(false).setInstance("prod-1")
                .build();
        PlanStep undo = PlanStep.newBuilder().setStepId("rollback-prod-1").setEnvironment(Environment.PRODUCTION).setKind(StepKind.COMMAND)
                .setAction("Return prod-1 to the previous version").setCommand(List.of("sleep", "3")).setExpectedOutcome("done")
                .setIdempotent(false).setInstance("prod-1").build();
        return DeploymentPlan.newBuilder().setEventId(id).setReleaseId("rel-" + id).setOccurredAt(Instant.now()).setCausationId(null)
                .setService("stalls-" + id.toString().substring(0, 6)).setVersion("2.0.0").setRisk(RiskLevel.MEDIUM)
                .setStrategy(Strategy.DIRECT).setRationale("test").setSteps(List.of(staging, production)).setRollbackProcedure(List.of(undo))
                .setEscalationContact("dana (team lead)").setDeploymentChecklist("# c").setRollbackPlan("# r").build();
    }

    /** A plan whose staging migration is slow and not declared safe to re-run. */
    private static DeploymentPlan slowPlan() {
        UUID id = UUID.randomUUID();
        PlanStep migrate = PlanStep.newBuilder().setStepId("staging-migrate").setEnvironment(Environment.STAGING).setKind(StepKind.COMMAND)
                .setAction("Run the database migration in staging").setCommand(List.of("sleep", "3")).setExpectedOutcome("done")
                .setIdempotent(false).build();
        PlanStep wait = PlanStep.newBuilder().setStepId("post-deploy-health").setEnvironment(Environment.PRODUCTION)
                .setKind(StepKind.WAIT_FOR_HEALTH).setAction("health").setCommand(List.of("window=1s")).setExpectedOutcome("healthy").build();
        return DeploymentPlan.newBuilder().setEventId(id).setReleaseId("rel-" + id).setOccurredAt(Instant.now()).setCausationId(null)
                .setService("migrations-" + id.toString().substring(0, 6)).setVersion("1.0.0").setRisk(RiskLevel.MEDIUM)
                .setStrategy(Strategy.DIRECT).setRationale("test").setSteps(List.of(migrate, wait)).setDeploymentChecklist("# c")
                .setRollbackPlan("# r").build();
    }

    private static List<StepEvent> distinct(List<StepEvent> events) {
        java.util.Set<UUID> seen = new java.util.HashSet<>();
        return events.stream().filter(e -> seen.add(e.getEventId())).toList();
    }

    private static Map<String, Long> count(List<StepEvent> steps, StepStatus status) {
        return steps.stream().filter(s -> s.getStatus() == status).collect(Collectors.groupingBy(StepEvent::getStepId, Collectors.counting()));
    }

    private static Map<?, ?> awaitState(RunningSystem system, ServiceProcess executor, String id, String state) {
        return Await.until(Duration.ofSeconds(60), "deployment " + id + " to be " + state, () -> {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(executor.baseUrl() + "/deployments/" + id))
                    .header("Authorization", "Bearer " + system.stack.tokens().mint("olga", "operator")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? new com.fasterxml.jackson.databind.ObjectMapper().readValue(response.body(), Map.class) : Map.of();
        }, deployment -> state.equals(deployment.get("state")));
    }
}
