package io.deploystage.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.GateStage;
import io.deploystage.events.GateVerdict;
import io.deploystage.events.Topics;
import io.deploystage.gate.application.DeadlineWatch;
import io.deploystage.gate.config.GateConfig;
import io.deploystage.gate.domain.GateEvaluator;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.RealStackTest;
import io.deploystage.stack.SampleEvents;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;

/**
 * Fail closed in time: a release still missing a required gate after the deadline is announced BLOCKED. The deadline
 * watch is stepped by hand with a clock past the deadline (the service's own sweep runs every 30 s against a 2 h one).
 */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "gate"))
class GateDeadlineTest extends RealStackTest {

    @Inject
    DeadlineWatch watch;

    @Inject
    GateConfig config;

    @Test
    void aMissingGateTurnsWaitingIntoBlockedAtTheDeadline() throws Throwable {
        String releaseId = "deadline-" + UUID.randomUUID();
        try (var reader = client.reader(List.of(Topics.GATE_DECISIONS))) {
            client.publish(SampleEvents.releaseCandidate(releaseId, "checkout", "4.0.0"));
            client.publish(SampleEvents.gateResult(releaseId, GateStage.REVIEW, GateVerdict.PASS));
            client.publish(SampleEvents.gateResult(releaseId, GateStage.SECURITY, GateVerdict.PASS));
            // the release is recorded WAITING (the decision is published after its commit)
            reader.awaitUntil(records -> decisions(records, releaseId).stream().anyMatch(d -> d.getOutcome() == GateOutcome.WAITING
                    && d.getReasons().stream().anyMatch(r -> r.getRule().equals(GateEvaluator.GATE_MISSING) && r.getStage() == GateStage.TEST)),
                    Duration.ofSeconds(45), "WAITING for the test gate");

            VertxContextSupport.subscribeAndAwait(() -> watch.sweep(Instant.now().plus(config.deadline()).plusSeconds(60)));

            List<ConsumerRecord<String, Object>> seen = reader.awaitUntil(records -> decisions(records, releaseId).stream()
                    .anyMatch(d -> d.getOutcome() == GateOutcome.BLOCKED), Duration.ofSeconds(45), "BLOCKED at the deadline");
            List<GateDecision> mine = decisions(seen, releaseId);
            assertEquals(GateOutcome.WAITING, mine.get(0).getOutcome(), "WAITING first: " + mine);
            GateDecision blocked = mine.stream().filter(d -> d.getOutcome() == GateOutcome.BLOCKED).findFirst().orElseThrow();
            assertEquals(1, mine.stream().filter(d -> d.getOutcome() == GateOutcome.BLOCKED).count(), "blocked once");
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
