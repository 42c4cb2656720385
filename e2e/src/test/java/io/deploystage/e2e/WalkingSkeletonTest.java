package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.GateResult;
import io.deploystage.events.NotificationRecord;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Topics;
import io.deploystage.stack.SampleEvents;

/** A release travels through all five services, each in its own JVM, on the real broker, registry and database. */
class WalkingSkeletonTest {

    /** The service this class releases: the sample installed under its own name. */
    static final String SERVICE = "skeleton-checkout";

    static final List<String> FLOW_TOPICS = List.of(Topics.GATE_DECISIONS, Topics.DEPLOYMENT_PLANS, Topics.STEP_EVENTS,
            Topics.DEPLOYMENT_OUTCOMES, Topics.NOTIFICATION_RECORDS);

    @Test
    void aReleaseTravelsThroughEveryServiceInOrderWithAnUnbrokenCausationChain() {
        RunningSystem system = RunningSystem.get();
        system.sample(SERVICE);
        String releaseId = "rel-" + UUID.randomUUID();
        ReleaseCandidate candidate = SampleEvents.releaseCandidate(releaseId, SERVICE, "1.1.0");
        List<GateResult> gates = SampleEvents.passingGates(releaseId);
        try (var reader = system.client.reader(FLOW_TOPICS)) {
            system.client.publish(candidate);
            gates.forEach(system.client::publish);
            List<ConsumerRecord<String, Object>> seen = reader.awaitUntil(
                    records -> !Trail.of(records, releaseId, NotificationRecord.class).isEmpty(), Duration.ofSeconds(60),
                    "the release's NotificationRecord");

            GateDecision cleared = Trail.of(seen, releaseId, GateDecision.class).stream()
                    .filter(d -> d.getOutcome() == GateOutcome.CLEARED).findFirst().orElseThrow();
            Set<String> inputs = new HashSet<>();
            inputs.add(candidate.getEventId().toString());
            gates.forEach(g -> inputs.add(g.getEventId().toString()));
            assertTrue(inputs.contains(cleared.getCausationId()), "the decision answers the candidate or a gate result");

            DeploymentPlan plan = single(Trail.of(seen, releaseId, DeploymentPlan.class));
            assertEquals(cleared.getEventId().toString(), plan.getCausationId());

            List<StepEvent> steps = Trail.of(seen, releaseId, StepEvent.class);
            assertEquals(plan.getSteps().size() * 2, steps.size(), "a STARTED and a SUCCEEDED event per step: " + steps.stream()
                    .map(s -> s.getStepId() + " " + s.getStatus() + " " + s.getEventId() + " " + s.getDetail()).toList());
            steps.forEach(s -> assertEquals(plan.getEventId().toString(), s.getCausationId()));
            assertEquals(plan.getSteps().stream().flatMap(s -> java.util.stream.Stream.of(s.getStepId(), s.getStepId())).toList(),
                    steps.stream().map(StepEvent::getStepId).toList(), "steps in plan order");
            assertEquals("STAGING", steps.get(0).getEnvironment().name(), "staging first");
            assertEquals(StepStatus.STARTED, steps.get(0).getStatus());
            assertTrue(plan.getDeploymentChecklist().startsWith("# Deployment Checklist: " + SERVICE + " 1.1.0"), plan.getDeploymentChecklist());

            DeploymentOutcome outcome = single(Trail.of(seen, releaseId, DeploymentOutcome.class));
            assertEquals(plan.getEventId().toString(), outcome.getCausationId());
            assertEquals(DeploymentResult.DEPLOYED, outcome.getOutcome());

            NotificationRecord notification = single(Trail.of(seen, releaseId, NotificationRecord.class));
            assertEquals(outcome.getEventId().toString(), notification.getCausationId());

            assertInOrder(seen, releaseId);
        }
    }

    /** Each stage's first event was written after the previous stage's (broker append time). */
    private static void assertInOrder(List<ConsumerRecord<String, Object>> seen, String releaseId) {
        long decision = firstTime(seen, releaseId, GateDecision.class);
        long plan = firstTime(seen, releaseId, DeploymentPlan.class);
        long step = firstTime(seen, releaseId, StepEvent.class);
        long outcome = firstTime(seen, releaseId, DeploymentOutcome.class);
        long notification = firstTime(seen, releaseId, NotificationRecord.class);
        assertTrue(decision <= plan && plan <= step && step <= outcome && outcome <= notification,
                "decision " + decision + " <= plan " + plan + " <= step " + step + " <= outcome " + outcome + " <= notification " + notification);
    }

    private static long firstTime(List<ConsumerRecord<String, Object>> seen, String releaseId, Class<? extends org.apache.avro.specific.SpecificRecordBase> type) {
        return Trail.recordsOf(seen, releaseId, type).stream().mapToLong(ConsumerRecord::timestamp).min().orElseThrow();
    }

    static <T> T single(List<T> events) {
        assertEquals(1, events.size(), "exactly one: " + events);
        return events.get(0);
    }
}
