package io.deploystage.gate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.GateStage;
import io.deploystage.events.GateVerdict;
import io.deploystage.events.Topics;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.RealStackTest;
import io.deploystage.stack.SampleEvents;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Fail closed in time: a release still missing a required gate after the deadline is announced BLOCKED. */
@QuarkusTest
@TestProfile(GateDeadlineTest.ShortDeadline.class)
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "gate"))
class GateDeadlineTest extends RealStackTest {

    /**
     * An eight-second deadline, checked every half second: long enough that the candidate is read before it passes
     * even when the consumer joins its group late in a cold JVM (with three seconds, a clean CI run once read the
     * candidate after its deadline and went straight to BLOCKED).
     */
    public static class ShortDeadline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gate.deadline", "PT8S", "gate.deadline-sweep", "500ms");
        }
    }

    @Test
    void aMissingGateTurnsWaitingIntoBlockedAtTheDeadline() {
        String releaseId = "deadline-" + UUID.randomUUID();
        try (var reader = client.reader(List.of(Topics.GATE_DECISIONS))) {
            client.publish(SampleEvents.releaseCandidate(releaseId, "checkout", "4.0.0"));
            client.publish(SampleEvents.gateResult(releaseId, GateStage.REVIEW, GateVerdict.PASS));
            client.publish(SampleEvents.gateResult(releaseId, GateStage.SECURITY, GateVerdict.PASS));
            List<ConsumerRecord<String, Object>> seen = reader.awaitUntil(records -> decisions(records, releaseId).stream()
                    .anyMatch(d -> d.getOutcome() == GateOutcome.BLOCKED), Duration.ofSeconds(45), "BLOCKED at the deadline");
            List<GateDecision> mine = decisions(seen, releaseId);
            assertTrue(mine.get(0).getOutcome() == GateOutcome.WAITING, "WAITING first: " + mine);
            GateDecision blocked = mine.stream().filter(d -> d.getOutcome() == GateOutcome.BLOCKED).findFirst().orElseThrow();
            assertTrue(blocked.getReasons().stream().anyMatch(r -> r.getRule().equals("gate-deadline-passed")
                    && r.getStage() == GateStage.TEST), blocked.getReasons().toString());
            assertTrue(mine.stream().noneMatch(d -> d.getOutcome() == GateOutcome.CLEARED), "never cleared without the test gate");
        }
    }

    private static List<GateDecision> decisions(List<ConsumerRecord<String, Object>> records, String releaseId) {
        return records.stream().map(ConsumerRecord::value).filter(GateDecision.class::isInstance).map(GateDecision.class::cast)
                .filter(d -> d.getReleaseId().equals(releaseId)).toList();
    }
}
