package io.deploystage.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.GateResult;
import io.deploystage.events.GateStage;
import io.deploystage.events.GateVerdict;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.events.Topics;
import io.deploystage.stack.EventClient;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.RealStackTest;
import io.deploystage.stack.SampleEvents;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The gate on the real broker, registry and database: events in, decision out; bad records dead-lettered. */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "gate"))
class GateFlowTest extends RealStackTest {

    @Test
    void passingGatesClearTheReleaseOnceEvenWhenAResultIsRedelivered() {
        String releaseId = "rel-" + UUID.randomUUID();
        ReleaseCandidate candidate = SampleEvents.releaseCandidate(releaseId, "checkout", "1.1.0");
        client.publish(candidate);
        List<GateResult> gates = SampleEvents.passingGates(releaseId);
        gates.forEach(client::publish);
        client.publish(gates.get(2));

        try (var reader = client.reader(List.of(Topics.GATE_DECISIONS))) {
            var decisions = reader.awaitUntil(seen -> ofRelease(seen, releaseId).stream()
                    .anyMatch(d -> d.getOutcome() == GateOutcome.CLEARED), Duration.ofSeconds(30), "a CLEARED decision");
            reader.poll(Duration.ofSeconds(2));
            List<GateDecision> mine = ofRelease(reader.seen(), releaseId);
            List<GateOutcome> outcomes = mine.stream().map(GateDecision::getOutcome).toList();
            assertEquals(1, outcomes.stream().filter(o -> o == GateOutcome.CLEARED).count(),
                    "one CLEARED decision, none for the redelivered result: " + outcomes + " of " + decisions.size());
            assertEquals(GateOutcome.CLEARED, outcomes.get(outcomes.size() - 1));
            GateDecision cleared = mine.get(mine.size() - 1);
            // the CLEARED decision answers the event that completed the release's set: the last gate result, or the
            // candidate when its topic was read after the results
            List<String> completing = List.of(gates.get(2).getEventId().toString(), candidate.getEventId().toString());
            assertTrue(completing.contains(String.valueOf(cleared.getCausationId())),
                    "the decision answers " + cleared.getCausationId() + ", not the event that completed the set (one of " + completing + ")");
            assertEquals("1.1.0", cleared.getVersion());
        }
    }

    /**
     * A backlog of candidates is taken in polled batches of up to 500 and decided set-wise: every release is answered
     * WAITING exactly once, each from its own candidate. (Staging a few hundred events as a chain of one Uni per event
     * once overflowed the event loop's stack and left the batch's transaction open for good.)
     */
    @Test
    void aBacklogOfCandidatesIsDecidedSetWiseEachReleaseAnsweredOnce() {
        String prefix = "backlog-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        int releases = 1500;
        List<ReleaseCandidate> candidates = java.util.stream.IntStream.range(0, releases)
                .mapToObj(i -> SampleEvents.releaseCandidate(prefix + i, "checkout", "2.0." + i)).toList();
        try (var reader = client.reader(List.of(Topics.GATE_DECISIONS))) {
            client.publishAll(candidates);
            reader.awaitUntil(seen -> waiting(seen, prefix).size() >= releases, Duration.ofSeconds(120), releases + " WAITING decisions");
            reader.poll(Duration.ofSeconds(2));
            List<GateDecision> waiting = waiting(reader.seen(), prefix);
            assertEquals(releases, waiting.size(), "one WAITING decision per release, none twice");
            assertEquals(releases, waiting.stream().map(GateDecision::getReleaseId).distinct().count());
            java.util.Map<String, String> causeOf = new java.util.HashMap<>();
            candidates.forEach(c -> causeOf.put(c.getReleaseId(), c.getEventId().toString()));
            waiting.forEach(d -> assertEquals(causeOf.get(d.getReleaseId()), d.getCausationId(), "answers its own candidate"));
        }
    }

    private static List<GateDecision> waiting(List<ConsumerRecord<String, Object>> seen, String prefix) {
        return seen.stream().filter(r -> r.value() instanceof GateDecision d && d.getOutcome() == GateOutcome.WAITING
                && d.getReleaseId().startsWith(prefix)).map(r -> (GateDecision) r.value()).toList();
    }

    @Test
    void garbageAndUnknownSchemasAreDeadLetteredWithTheReasonAndTheGateGoesOn() {
        String releaseId = "rel-" + UUID.randomUUID();
        client.publishRaw(Topics.GATE_RESULTS, releaseId, "not avro at all".getBytes(StandardCharsets.UTF_8));
        byte[] unknownSchema = {0, 0, 0, 0, 0, 0, 0, 0x7f, 0x7f, 2, 4};
        client.publishRaw(Topics.RELEASE_CANDIDATES, releaseId, unknownSchema);
        client.publish(SampleEvents.releaseCandidate(releaseId, "checkout", "1.2.0"));
        SampleEvents.passingGates(releaseId).forEach(client::publish);

        try (var dlq = client.rawReader(List.of(Topics.deadLetterOf(Topics.GATE_RESULTS), Topics.deadLetterOf(Topics.RELEASE_CANDIDATES)));
                var decisions = client.reader(List.of(Topics.GATE_DECISIONS))) {
            var dead = dlq.awaitUntil(seen -> seen.stream().filter(r -> releaseId.equals(r.key())).count() == 2,
                    Duration.ofSeconds(30), "two dead letters");
            for (ConsumerRecord<String, Object> r : dead.stream().filter(r -> releaseId.equals(r.key())).toList()) {
                String reason = new String(r.headers().lastHeader("dlq-reason").value(), StandardCharsets.UTF_8);
                assertEquals(true, reason.startsWith("not a readable Avro record"), reason);
            }
            decisions.awaitUntil(seen -> ofRelease(seen, releaseId).stream().anyMatch(d -> d.getOutcome() == GateOutcome.CLEARED),
                    Duration.ofSeconds(30), "the valid release after the bad records is cleared");
        }
    }

    @Test
    void aResultWithAStageThisVersionDoesNotKnowIsDeadLettered() {
        String releaseId = "rel-" + UUID.randomUUID();
        client.publish(SampleEvents.gateResult(releaseId, GateStage.UNKNOWN, GateVerdict.PASS));
        try (var dlq = client.rawReader(List.of(Topics.deadLetterOf(Topics.GATE_RESULTS)))) {
            var dead = dlq.awaitUntil(seen -> seen.stream().anyMatch(r -> releaseId.equals(r.key())), Duration.ofSeconds(30), "a dead letter");
            String reason = new String(dead.stream().filter(r -> releaseId.equals(r.key())).findFirst().orElseThrow()
                    .headers().lastHeader("dlq-reason").value(), StandardCharsets.UTF_8);
            assertEquals("stage or verdict holds a value this version does not know", reason);
        }
    }

    private static List<GateDecision> ofRelease(List<ConsumerRecord<String, Object>> records, String releaseId) {
        return records.stream().map(ConsumerRecord::value).filter(GateDecision.class::isInstance).map(GateDecision.class::cast)
                .filter(d -> d.getReleaseId().equals(releaseId)).toList();
    }
}
