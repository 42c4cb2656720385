package io.deploystage.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;

import io.deploystage.events.Cohort;
import io.deploystage.events.Environment;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.MetricSample;
import io.deploystage.events.RollbackCommand;
import io.deploystage.events.Topics;
import io.deploystage.stack.Await;
import io.deploystage.stack.EventClient;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.Percentiles;
import io.deploystage.stack.RealStackTest;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;

/**
 * The monitor's speed targets, on the real stack (broker in this JVM, PostgreSQL beside it, 2 shared cores):
 * <ul>
 * <li>a breaching MetricSample published to its RollbackCommand consumed (target p99 <= 250 ms);</li>
 * <li>MetricSamples evaluated per second by this one instance on a backlog (target >= 50,000/s), and the same backlog
 * read by a bare Kafka consumer (bytes, no decoding) in the same run, as a ratio.</li>
 * </ul>
 * Run on purpose: ./mvnw -B -Pbench -pl monitor-service -am verify -Dtest=MonitorBench -Dsurefire.failIfNoSpecifiedTests=false
 * (-Dbench.breaches=100, -Dbench.samples=300000, -Dbench.releases=50).
 */
@Tag("bench")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "monitor"))
class MonitorBench extends RealStackTest {

    @Inject
    KafkaClientService kafka;

    @Test
    @Order(1)
    void breachToRollbackCommand() {
        measureBreaches(10, "warm-up");
        measureBreaches(Integer.getInteger("bench.breaches", 100), "measured");
    }

    private void measureBreaches(int n, String label) {
        List<Long> millis = new ArrayList<>();
        try (var reader = client.reader(List.of(Topics.HEALTH_VERDICTS, Topics.ROLLBACK_COMMANDS))) {
            for (int i = 0; i < n; i++) {
                String releaseId = "bench-breach-" + UUID.randomUUID();
                client.publish(MonitorFlowTest.plan(releaseId));
                client.publish(MonitorFlowTest.sample(releaseId, Cohort.BASELINE, 10_000, 0, 120));
                client.publish(MonitorFlowTest.sample(releaseId, Cohort.CANARY, 1_000, 0, 120));
                reader.awaitUntil(records -> records.stream().anyMatch(r -> r.value() instanceof HealthVerdict v && v.getReleaseId().equals(releaseId)),
                        Duration.ofSeconds(30), "the healthy window's verdicts");
                long start = System.nanoTime();
                client.publish(MonitorFlowTest.sample(releaseId, Cohort.CANARY, 1_000, 50, 120));
                reader.awaitUntil(records -> records.stream().anyMatch(r -> r.value() instanceof RollbackCommand c && c.getReleaseId().equals(releaseId)),
                        Duration.ofSeconds(30), "the rollback");
                millis.add((System.nanoTime() - start) / 1_000_000);
            }
        }
        System.out.printf("BENCH monitor breach published -> RollbackCommand consumed (%s): %s%n", label, Percentiles.summary(millis, "ms"));
    }

    @Test
    @Order(2)
    void samplesEvaluatedPerSecond() throws Exception {
        int releases = Integer.getInteger("bench.releases", 50);
        int total = Integer.getInteger("bench.samples", 300_000);
        List<String> ids = new ArrayList<>();
        try (var reader = client.reader(List.of(Topics.HEALTH_VERDICTS))) {
            for (int i = 0; i < releases; i++) {
                String releaseId = "bench-load-" + UUID.randomUUID();
                ids.add(releaseId);
                client.publish(MonitorFlowTest.plan(releaseId));
                client.publish(MonitorFlowTest.sample(releaseId, Cohort.BASELINE, 10_000, 10, 120, 40));
            }
            client.publish(MonitorFlowTest.sample(ids.get(releases - 1), Cohort.CANARY, 1_000, 1, 120, 40));
            reader.awaitUntil(records -> records.stream().anyMatch(r -> r.value() instanceof HealthVerdict v
                    && v.getReleaseId().equals(ids.get(releases - 1))), Duration.ofSeconds(60), "the plans and baselines applied");
        }
        Map<Integer, Long> start = endOffsets();
        long processedBefore = processedSamples();
        kafka.getConsumer("metric-samples").pause().await().atMost(Duration.ofSeconds(10));
        Random random = new Random(11);
        long producing = System.nanoTime();
        List<MetricSample> chunk = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            chunk.add(loadSample(ids.get(i % releases), i % 2 == 0 ? Cohort.CANARY : Cohort.STABLE, random));
            if (chunk.size() == 10_000) {
                client.publishAll(chunk);
                chunk.clear();
            }
        }
        client.publishAll(chunk);
        double producedPerSecond = total / ((System.nanoTime() - producing) / 1e9);
        long backlogStart = System.nanoTime();
        kafka.getConsumer("metric-samples").resume().await().atMost(Duration.ofSeconds(10));
        long[] lastReport = {System.nanoTime()};
        Await.until(Duration.ofMinutes(10), total + " samples applied", () -> {
            long applied = processedSamples() - processedBefore;
            if (System.nanoTime() - lastReport[0] > 5_000_000_000L) {
                System.out.printf("BENCH ... %,d of %,d samples applied%n", applied, total);
                lastReport[0] = System.nanoTime();
            }
            return applied;
        }, applied -> applied >= total);
        double monitorSeconds = (System.nanoTime() - backlogStart) / 1e9;
        double bareSeconds = bareConsumer(start, total);
        System.out.printf("BENCH monitor samples produced at %,.0f/s; %,d samples of %d releases (canary and stable) evaluated in %.2f s: "
                + "%,.0f samples/s; a bare consumer read them in %.2f s: %,.0f records/s; monitor/bare = %.2f%n", producedPerSecond, total,
                releases, monitorSeconds, total / monitorSeconds, bareSeconds, total / bareSeconds, bareSeconds / monitorSeconds);
    }

    private static MetricSample loadSample(String releaseId, Cohort cohort, Random random) {
        Instant end = Instant.now();
        List<Double> latencies = new ArrayList<>(20);
        for (int i = 0; i < 20; i++) {
            latencies.add(100 + 40 * random.nextDouble());
        }
        return MetricSample.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(end).setService("checkout")
                .setEnvironment(Environment.PRODUCTION).setVersion("1.2.0").setCohort(cohort).setWindowStart(end.minusSeconds(1))
                .setWindowEnd(end).setRequestCount(100).setErrorCount(random.nextInt(100) == 0 ? 1 : 0).setLatencyMillis(latencies).build();
    }

    /** How many samples the monitor has processed: its inbox records each one's eventId in the batch's transaction. */
    private static long processedSamples() throws Exception {
        var postgres = LocalStackResource.stack().postgres();
        try (Connection db = DriverManager.getConnection(postgres.jdbcUrl("monitor"), postgres.user(), postgres.password());
                ResultSet rows = db.createStatement().executeQuery("select count(*) from processed_event where topic = 'metric-samples'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The end of each partition of metric-samples: where the backlog about to be produced begins. */
    private static Map<Integer, Long> endOffsets() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(bareConsumerProperties())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.METRIC_SAMPLES).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            Map<Integer, Long> ends = new HashMap<>();
            consumer.endOffsets(partitions).forEach((partition, offset) -> ends.put(partition.partition(), offset));
            return ends;
        }
    }

    private static Properties bareConsumerProperties() {
        Properties props = new Properties();
        props.putAll(LocalStackResource.stack().kafkaAdminConfig());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    /** Reads the same records with a plain consumer (bytes, no decoding), from the same offsets; returns the seconds taken. */
    private static double bareConsumer(Map<Integer, Long> from, int total) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(bareConsumerProperties())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.METRIC_SAMPLES).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            partitions.forEach(p -> consumer.seek(p, from.getOrDefault(p.partition(), 0L)));
            long read = 0;
            long began = System.nanoTime();
            long bytes = 0;
            while (read < total) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (var record : records) {
                    bytes += record.value().length;
                }
                read += records.count();
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            assertEquals(true, bytes > 0);
            return seconds;
        }
    }
}
