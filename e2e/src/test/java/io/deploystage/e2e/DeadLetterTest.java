package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.Topics;
import io.deploystage.stack.KafkaAccess;
import io.deploystage.stack.SampleEvents;
import io.deploystage.stack.ServiceProcess;

/** Garbage and unknown-schema records on every input topic land in its DLQ with the reason; the flow goes on. */
class DeadLetterTest {

    /** The service this class releases: the sample installed under its own name. */
    static final String SERVICE = "dlq-checkout";

    /**
     * Which services consume each input topic (the Kafka rules, checked against each service's configuration by
     * {@link KafkaAclTest}): each of them dead-letters a bad record on its own.
     */
    static final Map<String, Set<String>> CONSUMERS = KafkaAccess.principals().stream()
            .filter(p -> ServiceProcess.SERVICES.contains(p.name()))
            .flatMap(p -> p.reads().stream().map(topic -> Map.entry(topic, p.name())))
            .collect(Collectors.groupingBy(Map.Entry::getKey, Collectors.mapping(Map.Entry::getValue, Collectors.toSet())));

    @Test
    void badRecordsOnEveryInputTopicAreDeadLetteredAndAValidReleaseAfterThemCompletes() {
        RunningSystem system = RunningSystem.get();
        String badKey = "bad-" + UUID.randomUUID();
        byte[] garbage = "{\"definitely\": \"not avro\"}".getBytes(StandardCharsets.UTF_8);
        byte[] unknownSchema = ByteBuffer.allocate(9).put((byte) 0).putInt(987_654).put(new byte[] {2, 4, 6, 8}).array();
        CONSUMERS.keySet().forEach(topic -> {
            system.client.publishRaw(topic, badKey, garbage);
            system.client.publishRaw(topic, badKey, unknownSchema);
        });

        String releaseId = "rel-" + UUID.randomUUID();
        system.sample(SERVICE);
        system.client.publish(SampleEvents.releaseCandidate(releaseId, SERVICE, "1.1.1"));
        SampleEvents.passingGates(releaseId).forEach(system.client::publish);

        long expected = CONSUMERS.values().stream().mapToLong(Set::size).sum() * 2;
        List<String> dlqs = CONSUMERS.keySet().stream().map(Topics::deadLetterOf).toList();
        try (var dead = system.client.rawReader(dlqs); var flow = system.client.reader(List.of(Topics.DEPLOYMENT_OUTCOMES))) {
            List<ConsumerRecord<String, Object>> letters = dead.awaitUntil(
                    seen -> seen.stream().filter(r -> badKey.equals(r.key())).count() >= expected, Duration.ofSeconds(90),
                    expected + " dead letters").stream().filter(r -> badKey.equals(r.key())).toList();
            assertEquals(expected, letters.size(), "one dead letter per bad record and consuming service");
            CONSUMERS.forEach((topic, services) -> {
                List<ConsumerRecord<String, Object>> mine = letters.stream().filter(r -> r.topic().equals(Topics.deadLetterOf(topic))).toList();
                assertEquals(services, mine.stream().map(r -> header(r, "dlq-consumer")).collect(Collectors.toSet()), topic);
                mine.forEach(r -> {
                    assertEquals(topic, header(r, "dlq-original-topic"));
                    assertFalse(header(r, "dlq-reason").isBlank(), "a reason for " + topic);
                });
                assertEquals(services.size(), mine.stream().filter(r -> java.util.Arrays.equals((byte[]) r.value(), garbage)).count(),
                        "the original bytes are kept on " + Topics.deadLetterOf(topic));
            });
            // its outcome: the whole flow goes on after the bad records
            flow.awaitUntil(seen -> !Trail.of(seen, releaseId, DeploymentOutcome.class).isEmpty(), Duration.ofSeconds(180),
                    "the valid release after the bad records to complete");
        }
    }

    private static String header(ConsumerRecord<String, Object> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
