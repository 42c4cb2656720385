package io.deploystage.e2e.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The floor a two-hop flow through the services is measured against: on the same broker, with the same login and
 * producer settings as the services (acks=all, idempotent), records go test → topic a → hop 1 (consume, produce) →
 * topic b → hop 2 (consume, produce) → topic c → test, with no database, no registry and no Avro. The latency of a
 * record is the producer timestamp of its copy on c minus that of the original on a.
 */
final class BareRelay {

    private BareRelay() {
    }

    /** Sends {@code records} at once and returns each one's two-hop latency in ms, sorted. */
    static long[] measure(Map<String, Object> kafka, int records) throws Exception {
        String run = "bench.relay." + UUID.randomUUID().toString().substring(0, 8);
        List<String> topics = List.of(run + ".a", run + ".b", run + ".c");
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(topics.stream().map(t -> new NewTopic(t, 3, (short) 1)).toList()).all().get();
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> hops = List.of(hop(kafka, topics.get(0), topics.get(1), running), hop(kafka, topics.get(1), topics.get(2), running));
            hops.forEach(Thread::start);
            try (KafkaProducer<String, byte[]> producer = producer(kafka); KafkaConsumer<String, byte[]> reader = consumer(kafka, run + ".reader")) {
                reader.subscribe(List.of(topics.get(2)));
                reader.poll(Duration.ofMillis(500));
                byte[] payload = new byte[300]; // about a StepEvent's size
                Map<String, Long> sent = new HashMap<>();
                List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new ArrayList<>();
                List<String> keys = new ArrayList<>();
                for (int i = 0; i < records; i++) {
                    String key = "r-" + i;
                    keys.add(key);
                    acks.add(producer.send(new ProducerRecord<>(topics.get(0), key, payload)));
                }
                producer.flush();
                for (int i = 0; i < records; i++) {
                    sent.put(keys.get(i), acks.get(i).get().timestamp());
                }
                List<Long> latencies = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (latencies.size() < records && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(100))) {
                        latencies.add(r.timestamp() - sent.get(r.key()));
                    }
                }
                if (latencies.size() < records) {
                    throw new IllegalStateException("the bare relay delivered " + latencies.size() + " of " + records + " records in 2 min");
                }
                return latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            } finally {
                running.set(false);
                for (Thread hop : hops) {
                    hop.join(10_000);
                }
                admin.deleteTopics(topics).all().get();
            }
        }
    }

    private static Thread hop(Map<String, Object> kafka, String from, String to, AtomicBoolean running) {
        Thread thread = new Thread(() -> {
            try (KafkaConsumer<String, byte[]> consumer = consumer(kafka, from + ".hop"); KafkaProducer<String, byte[]> producer = producer(kafka)) {
                consumer.subscribe(List.of(from));
                while (running.get()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        producer.send(new ProducerRecord<>(to, r.key(), r.value()));
                    }
                }
            }
        }, "bare-relay " + from + " -> " + to);
        thread.setDaemon(true);
        return thread;
    }

    private static KafkaProducer<String, byte[]> producer(Map<String, Object> kafka) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(config);
    }

    private static KafkaConsumer<String, byte[]> consumer(Map<String, Object> kafka, String group) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(config);
    }
}
