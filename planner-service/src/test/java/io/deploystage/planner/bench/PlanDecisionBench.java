package io.deploystage.planner.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.events.Topics;
import io.deploystage.stack.EventClient;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.SampleDescriptor;
import io.deploystage.stack.SampleEvents;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * CLEARED gate decision to DeploymentPlan on the real broker, one planner instance: latency between the two events'
 * producer timestamps, for a burst and one release at a time.
 * Run on purpose: ./mvnw -B -Pbench -pl planner-service -am verify -Dtest=PlanDecisionBench -Dsurefire.failIfNoSpecifiedTests=false
 */
@Tag("bench")
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "planner"))
class PlanDecisionBench {

    @TestHTTPResource("/")
    java.net.URL base;

    @Test
    void decisionToPlan() {
        SampleDescriptor.register(base.toString().replaceAll("/$", ""), LocalStackResource.stack().tokens(),
                io.deploystage.stack.sample.SampleInstall.install(java.nio.file.Path.of("target", "sample").toAbsolutePath(),
                        SampleDescriptor.INSTANCES));
        int releases = Integer.getInteger("bench.releases", 500);
        try (EventClient client = EventClient.forStack(LocalStackResource.stack())) {
            System.out.printf("%n| run | releases | wall s | plans/s | p50 ms | p99 ms | max ms |%n|---|---|---|---|---|---|---|%n");
            run(client, 50, "warm-up", false);
            run(client, releases, "burst of " + releases, false);
            run(client, 100, "one at a time", true);
        }
    }

    private static void run(EventClient client, int releases, String label, boolean oneAtATime) {
        String prefix = "pbench-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<ReleaseCandidate> candidates = new ArrayList<>();
        List<GateDecision> decisions = new ArrayList<>();
        for (int i = 0; i < releases; i++) {
            ReleaseCandidate candidate = SampleEvents.releaseCandidate(prefix + i, SampleDescriptor.SERVICE, "1.0." + i);
            candidates.add(candidate);
            decisions.add(GateDecision.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(candidate.getReleaseId())
                    .setOccurredAt(java.time.Instant.now()).setCausationId(candidate.getEventId().toString())
                    .setService(candidate.getService()).setVersion(candidate.getVersion()).setOutcome(GateOutcome.CLEARED)
                    .setReasons(List.of()).build());
        }
        try (var reader = client.reader(List.of(Topics.DEPLOYMENT_PLANS, Topics.GATE_DECISIONS))) {
            client.publishAll(candidates);
            long start = System.nanoTime();
            if (oneAtATime) {
                for (GateDecision decision : decisions) {
                    client.publishAll(List.of(decision));
                    reader.awaitUntil(seen -> plans(seen, decision.getReleaseId()).size() == 1, Duration.ofSeconds(30), "plan");
                }
            } else {
                client.publishAll(decisions);
                reader.awaitUntil(seen -> plans(seen, prefix).size() >= releases, Duration.ofMinutes(10), releases + " plans");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Long> decidedAt = new HashMap<>();
            reader.seen().stream().filter(r -> r.value() instanceof GateDecision && r.key().startsWith(prefix))
                    .forEach(r -> decidedAt.put(r.key(), r.timestamp()));
            long[] latencies = plans(reader.seen(), prefix).stream().mapToLong(r -> r.timestamp() - decidedAt.get(r.key())).sorted().toArray();
            System.out.printf("| %s | %d | %.2f | %.0f | %d | %d | %d |%n", label, releases, seconds, releases / seconds,
                    io.deploystage.stack.Percentiles.of(latencies, 50), io.deploystage.stack.Percentiles.of(latencies, 99), latencies[latencies.length - 1]);
        }
    }

    private static List<ConsumerRecord<String, Object>> plans(List<ConsumerRecord<String, Object>> seen, String prefix) {
        return seen.stream().filter(r -> r.value() instanceof DeploymentPlan && r.key().startsWith(prefix)).toList();
    }


}
