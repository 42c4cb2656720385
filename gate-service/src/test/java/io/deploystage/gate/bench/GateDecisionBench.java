package io.deploystage.gate.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.GateResult;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.events.Topics;
import io.deploystage.stack.EventClient;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.SampleEvents;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Gate results to decision on the real broker, one gate instance: latency from the last gate result's send time
 * to the CLEARED decision's send time (both producer timestamps on this machine), and results per second, the releases'
 * candidates having been recorded (and answered WAITING) before the burst of results; candidates per second too.
 * Run on purpose: ./mvnw -Pbench -pl gate-service -am verify -Dtest=GateDecisionBench -Dsurefire.failIfNoSpecifiedTests=false
 * Size with -Dbench.releases=N (default 1000).
 */
@Tag("bench")
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "gate"))
class GateDecisionBench {

    @Test
    void gateResultsToDecision() {
        int releases = Integer.getInteger("bench.releases", 1000);
        try (EventClient client = EventClient.forStack(LocalStackResource.stack())) {
            run(client, 100, "warm-up");
            run(client, releases, "burst of " + releases);
            sequential(client, 100);
        }
    }

    private static void run(EventClient client, int releases, String label) {
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<ReleaseCandidate> candidates = new ArrayList<>();
        List<GateResult> results = new ArrayList<>();
        for (int i = 0; i < releases; i++) {
            candidates.add(SampleEvents.releaseCandidate(prefix + i, "checkout", "1.0." + i));
            results.addAll(SampleEvents.passingGates(prefix + i));
        }
        try (var reader = client.reader(List.of(Topics.GATE_DECISIONS, Topics.GATE_RESULTS))) {
            // the candidates first, each answered WAITING (timed on their own), then the burst of results alone
            long candidatesStart = System.nanoTime();
            client.publishAll(candidates);
            reader.awaitUntil(seen -> decided(seen, prefix, GateOutcome.WAITING).size() >= releases, Duration.ofMinutes(10),
                    releases + " WAITING decisions");
            double candidateSeconds = (System.nanoTime() - candidatesStart) / 1e9;
            System.out.printf("%n%s: %d candidates recorded and answered WAITING in %.2f s (%.0f candidates/s)%n", label, releases,
                    candidateSeconds, releases / candidateSeconds);
            long start = System.nanoTime();
            client.publishAll(results);
            System.out.printf("%s: %d results published in %.2f s (the load generator's own pace, in this JVM)%n", label, results.size(),
                    (System.nanoTime() - start) / 1e9);
            reader.awaitUntil(seen -> cleared(seen, prefix).size() >= releases, Duration.ofMinutes(10), releases + " decisions");
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Long> lastResultAt = new HashMap<>();
            for (ConsumerRecord<String, Object> r : reader.seen()) {
                if (r.value() instanceof GateResult && r.key().startsWith(prefix)) {
                    lastResultAt.merge(r.key(), r.timestamp(), Math::max);
                }
            }
            long[] latencies = cleared(reader.seen(), prefix).stream()
                    .mapToLong(r -> r.timestamp() - lastResultAt.get(r.key())).sorted().toArray();
            System.out.printf("%n| run | releases | results | wall s | results/s | p50 ms | p99 ms | max ms |%n");
            System.out.printf("|---|---|---|---|---|---|---|---|%n");
            System.out.printf("| %s | %d | %d | %.2f | %.0f | %d | %d | %d |%n%n", label, releases, results.size(), seconds,
                    results.size() / seconds, io.deploystage.stack.Percentiles.of(latencies, 50), io.deploystage.stack.Percentiles.of(latencies, 99), latencies[latencies.length - 1]);
        }
    }

    /** One release at a time: the latency of a decision when nothing queues. */
    private static void sequential(EventClient client, int releases) {
        String prefix = "bench-seq-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        long[] latencies = new long[releases];
        long start = System.nanoTime();
        try (var reader = client.reader(List.of(Topics.GATE_DECISIONS, Topics.GATE_RESULTS))) {
            for (int i = 0; i < releases; i++) {
                String releaseId = prefix + i;
                client.publishAll(List.of(SampleEvents.releaseCandidate(releaseId, "checkout", "1.0." + i)));
                client.publishAll(SampleEvents.passingGates(releaseId));
                List<ConsumerRecord<String, Object>> seen = reader.awaitUntil(s -> !cleared(s, releaseId).isEmpty()
                        && s.stream().filter(r -> r.value() instanceof GateResult && r.key().equals(releaseId)).count() == 3,
                        Duration.ofSeconds(30), "decision of " + releaseId);
                long lastResult = seen.stream().filter(r -> r.value() instanceof GateResult && r.key().equals(releaseId))
                        .mapToLong(ConsumerRecord::timestamp).max().orElseThrow();
                latencies[i] = cleared(seen, releaseId).get(0).timestamp() - lastResult;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        java.util.Arrays.sort(latencies);
        System.out.printf("| one at a time | %d | %d | %.2f | %.0f | %d | %d | %d |%n%n", releases, releases * 3, seconds,
                releases * 3 / seconds, io.deploystage.stack.Percentiles.of(latencies, 50), io.deploystage.stack.Percentiles.of(latencies, 99), latencies[latencies.length - 1]);
    }

    private static List<ConsumerRecord<String, Object>> cleared(List<ConsumerRecord<String, Object>> seen, String prefix) {
        return decided(seen, prefix, GateOutcome.CLEARED);
    }

    private static List<ConsumerRecord<String, Object>> decided(List<ConsumerRecord<String, Object>> seen, String prefix, GateOutcome outcome) {
        return seen.stream().filter(r -> r.value() instanceof GateDecision d && d.getOutcome() == outcome
                && r.key().startsWith(prefix)).toList();
    }


}
