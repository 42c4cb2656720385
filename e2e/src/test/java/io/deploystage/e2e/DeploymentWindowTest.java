package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.Environment;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Topics;
import io.deploystage.stack.SampleEvents;

/**
 * The deployment calendar across the services: a freeze an operator sets on the planner holds the release's production
 * steps in the executor (staging runs at once) until it ends; the plan's window is the freeze's end.
 */
class DeploymentWindowTest {

    /** The service this class releases: the sample installed under its own name (its calendar is this class's alone). */
    static final String SERVICE = "window-checkout";

    @Test
    void aFreezeSetOverRestHoldsProductionUntilItEndsThenTheReleaseGoesOut() throws Exception {
        RunningSystem system = RunningSystem.get();
        system.sample(SERVICE);
        String calendar = system.service("planner-service").baseUrl() + "/calendar/" + SERVICE;
        String token = system.stack.tokens().mint("olga", "operator");
        HttpClient http = HttpClient.newHttpClient();
        Instant until = Instant.now().plusSeconds(40).truncatedTo(ChronoUnit.SECONDS);
        String body = "{\"zone\": \"Europe/Berlin\", \"windows\": [], \"freezes\": [{\"from\": \"" + Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS)
                + "\", \"until\": \"" + until + "\", \"reason\": \"payment provider maintenance\"}]}";
        HttpResponse<String> set = http.send(HttpRequest.newBuilder(URI.create(calendar)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, set.statusCode(), set.body());
        String releaseId = "window-" + UUID.randomUUID().toString().substring(0, 8);
        try (var reader = system.client.reader(List.of(Topics.DEPLOYMENT_PLANS, Topics.STEP_EVENTS, Topics.DEPLOYMENT_OUTCOMES))) {
            system.client.publish(SampleEvents.releaseCandidate(releaseId, SERVICE, "1.1.3"));
            SampleEvents.passingGates(releaseId).forEach(system.client::publish);
            reader.awaitUntil(seen -> !Trail.of(seen, releaseId, DeploymentOutcome.class).isEmpty(), Duration.ofSeconds(240), "the outcome");
            var seen = reader.seen();
            DeploymentPlan plan = Trail.of(seen, releaseId, DeploymentPlan.class).get(0);
            assertEquals(until, plan.getDeploymentWindow(), "the checklist's window is the freeze's end");
            assertTrue(plan.getDeploymentChecklist().contains("Europe/Berlin"), "the window in the calendar's zone too");
            List<StepEvent> steps = Trail.of(seen, releaseId, StepEvent.class);
            StepEvent waiting = steps.stream().filter(s -> s.getStatus() == StepStatus.WAITING).findFirst()
                    .orElseThrow(() -> new AssertionError("no WAITING step: " + steps.stream().map(s -> s.getStepId() + " " + s.getStatus()).toList()));
            assertEquals(Environment.PRODUCTION, waiting.getEnvironment());
            assertTrue(waiting.getDetail().contains("payment provider maintenance"), waiting.getDetail());
            StepEvent started = steps.stream().filter(s -> s.getStepId().equals(waiting.getStepId()) && s.getStatus() == StepStatus.STARTED)
                    .findFirst().orElseThrow();
            assertFalse(started.getOccurredAt().isBefore(until), "production started at " + started.getOccurredAt() + ", the freeze ended at " + until);
            assertTrue(steps.stream().filter(s -> s.getEnvironment() == Environment.STAGING).allMatch(s -> s.getOccurredAt().isBefore(until)),
                    "staging does not wait");
            assertEquals(DeploymentResult.DEPLOYED, Trail.of(seen, releaseId, DeploymentOutcome.class).get(0).getOutcome());
        } finally {
            http.send(HttpRequest.newBuilder(URI.create(calendar)).header("Authorization", "Bearer " + token).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
