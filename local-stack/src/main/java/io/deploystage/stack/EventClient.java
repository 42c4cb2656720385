package io.deploystage.stack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;

import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
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

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.deploystage.events.AvroBinary;
import io.deploystage.events.EventEnvelope;
import io.deploystage.events.Topics;

/**
 * A plain Kafka client that speaks the event contracts through the registry, the way CI systems and operators
 * do: publish events (or raw bytes), and read what arrives on topics. Used by tests, the launcher and tools.
 */
public final class EventClient implements AutoCloseable {

    private final Map<String, Object> kafkaConfig;
    private final Map<String, Object> registryConfig;
    private final String groupPrefix;
    private final KafkaProducer<String, Object> producer;
    private final KafkaProducer<String, byte[]> rawProducer;
    private final io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    /** Sends happen here, so a registry call that never answers fails the caller after {@link #PUBLISH_LIMIT} instead of hanging it. */
    private final java.util.concurrent.ExecutorService sender = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "event-client-send");
        thread.setDaemon(true);
        return thread;
    });
    static final Duration PUBLISH_LIMIT = Duration.ofSeconds(60);
    /**
     * How long one attempt of a send may take before it is given up and made again. Apicurio Registry 3.3.3 sometimes
     * never writes a response (its log: Netty's {@code IllegalReferenceCountException} in {@code AssembledHttpResponse}
     * under the HTTP compressor, which its build enables), and the registry client waits for it without a timeout.
     */
    static final Duration ATTEMPT_LIMIT = Duration.ofSeconds(20);

    /**
     * A client with these Kafka settings (bootstrap servers and login) and this registry login (it registers the
     * schemas of what it publishes); its readers' groups start with the prefix.
     */
    public EventClient(Map<String, Object> kafkaConfig, String registryUrl, Map.Entry<String, String> registryLogin, String groupPrefix) {
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        // the registry client on a Vert.x of its own, not on the one of a Quarkus application under test in this JVM
        this.registryConfig = Map.of("apicurio.registry.url", registryUrl,
                "apicurio.registry.auth.username", registryLogin.getKey(),
                "apicurio.registry.auth.password", registryLogin.getValue(),
                "apicurio.registry.vertx.instance", vertx);
        this.groupPrefix = groupPrefix;
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.putAll(registryConfig);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroKafkaSerializer.class.getName());
        props.put("apicurio.registry.auto-register", "true");
        this.producer = new KafkaProducer<>(props);
        Properties raw = new Properties();
        raw.putAll(props);
        raw.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.rawProducer = new KafkaProducer<>(raw);
    }

    /** A client of the stack's super user: tests act as CI, operators and services at once. */
    public static EventClient forStack(LocalStack stack) {
        return new EventClient(stack.kafkaAdminConfig(), stack.registryUrl(), stack.registryAdmin(), "reader-");
    }

    /** A client logged in to Kafka as one of {@link KafkaAccess}'s principals, with only its rights there. */
    public static EventClient as(LocalStack stack, String principal) {
        String groups = KafkaAccess.principal(principal).groupPrefix();
        return new EventClient(stack.kafkaClientConfig(principal), stack.registryUrl(), stack.registryAdmin(), groups == null ? principal + "-" : groups);
    }

    /** Publishes an event to its topic, keyed by its releaseId, and waits for the broker's acknowledgement. */
    public void publish(SpecificRecordBase event) {
        send(producer, new ProducerRecord<>(Topics.of(event.getClass()), EventEnvelope.releaseId(event), event));
    }

    /** Publishes many events without waiting for each acknowledgement, then waits for all of them. */
    public void publishAll(List<? extends SpecificRecordBase> events) {
        // an attempt given up goes on from the first event it did not hand to the producer: none is sent twice
        List<java.util.concurrent.Future<?>> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        List<java.util.concurrent.Future<?>> acks = within("publishing " + events.size() + " events", () -> {
            for (SpecificRecordBase event : events.subList(sent.size(), events.size())) {
                sent.add(producer.send(new ProducerRecord<>(Topics.of(event.getClass()), EventEnvelope.releaseId(event), event)));
            }
            producer.flush();
            return sent;
        });
        for (var ack : acks) {
            try {
                ack.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("Publishing failed: " + e.getCause(), e.getCause());
            }
        }
    }

    /** Publishes raw bytes, e.g. a record no contract can read. */
    public void publishRaw(String topic, String key, byte[] value) {
        send(rawProducer, new ProducerRecord<>(topic, key, value));
    }

    /**
     * Runs {@code work} (a send: it serializes, which may call the registry, then hands the record to the producer),
     * giving an attempt up after {@link #ATTEMPT_LIMIT} and making it again (the registry's lost answer is not lost
     * twice in a row), and failing after {@link #PUBLISH_LIMIT} with what it was doing rather than waiting for ever.
     */
    private <T> T within(String what, java.util.concurrent.Callable<T> work) {
        return within(sender, what, work, ATTEMPT_LIMIT, PUBLISH_LIMIT);
    }

    static <T> T within(java.util.concurrent.ExecutorService executor, String what, java.util.concurrent.Callable<T> work, Duration attempt,
            Duration total) {
        long deadline = System.nanoTime() + total.toNanos();
        while (true) {
            java.util.concurrent.Future<T> done = executor.submit(work);
            try {
                return done.get(Math.min(attempt.toNanos(), Math.max(1, deadline - System.nanoTime())), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                done.cancel(true);
                if (System.nanoTime() >= deadline) {
                    throw new IllegalStateException(what + " took more than " + total.toSeconds() + " s: the registry or the broker did not answer");
                }
                System.err.printf("EventClient: %s got no answer within %d ms (the registry's or the broker's); trying again%n", what,
                        attempt.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                // refused at once (a producer the broker refused before is in an error state that names that refusal):
                // the same failure as a refusal acknowledged later, with the broker's reason as its cause
                Throwable cause = e.getCause() instanceof org.apache.kafka.common.KafkaException k
                        && !(k instanceof org.apache.kafka.common.errors.ApiException) && k.getCause() != null ? k.getCause() : e.getCause();
                throw new IllegalStateException(what + " failed: " + cause, cause);
            }
        }
    }

    private <V> void send(KafkaProducer<String, V> producer, ProducerRecord<String, V> record) {
        try {
            within("publishing to " + record.topic(), () -> producer.send(record)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Publishing to " + record.topic() + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** A reader of decoded events from the start of the given topics. */
    public Reader reader(List<String> topics) {
        return new Reader(topics, false);
    }

    /** A reader of raw records (e.g. dead-letter topics) from the start of the given topics. */
    public Reader rawReader(List<String> topics) {
        return new Reader(topics, true);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        rawProducer.close(Duration.ofSeconds(5));
        sender.shutdownNow();
        vertx.close();
    }

    /** Reads records and keeps every one seen, so a test can wait for a condition over all of them. */
    public final class Reader implements AutoCloseable {

        private final KafkaConsumer<String, byte[]> consumer;
        private final AvroKafkaDeserializer<Object> deserializer = new AvroKafkaDeserializer<>();
        private final boolean raw;
        private final List<ConsumerRecord<String, Object>> seen = new ArrayList<>();

        Reader(List<String> topics, boolean raw) {
            this.raw = raw;
            Properties props = new Properties();
            props.putAll(kafkaConfig);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupPrefix + UUID.randomUUID());
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            this.consumer = new KafkaConsumer<>(props);
            Map<String, Object> serde = new HashMap<>();
            serde.putAll(registryConfig);
            serde.put("apicurio.registry.use-specific-avro-reader", false);
            deserializer.configure(serde, false);
            consumer.subscribe(topics);
        }

        /** Polls once for up to {@code wait} and returns the records that arrived. */
        public List<ConsumerRecord<String, Object>> poll(Duration wait) {
            List<ConsumerRecord<String, Object>> fresh = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : consumer.poll(wait)) {
                Object value;
                try {
                    value = raw ? r.value() : toContract(deserializer.deserialize(r.topic(), r.headers(), r.value()));
                } catch (RuntimeException undecodable) {
                    value = r.value(); // not an event (a test's garbage, a foreign record): kept as bytes, never fatal to the reader
                }
                fresh.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.timestampType(),
                        r.serializedKeySize(), r.serializedValueSize(), r.key(), value, r.headers(), r.leaderEpoch()));
            }
            seen.addAll(fresh);
            return fresh;
        }

        private Object toContract(Object value) {
            if (!(value instanceof GenericRecord generic)) {
                return value;
            }
            try {
                Class<? extends SpecificRecordBase> type = Class.forName(generic.getSchema().getFullName(), true,
                        EventClient.class.getClassLoader()).asSubclass(SpecificRecordBase.class);
                return AvroBinary.fromGeneric(generic, type);
            } catch (ClassNotFoundException e) {
                return generic;
            }
        }

        /** Polls until the records seen so far satisfy the condition, or fails after the deadline. */
        public List<ConsumerRecord<String, Object>> awaitUntil(Predicate<List<ConsumerRecord<String, Object>>> condition,
                Duration timeout, String what) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!condition.test(seen)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Timed out after " + timeout + " waiting for " + what + "; saw " + describe());
                }
                poll(Duration.ofMillis(200));
            }
            return List.copyOf(seen);
        }

        public List<ConsumerRecord<String, Object>> seen() {
            return List.copyOf(seen);
        }

        /**
         * Polls until it has read every record its topics held when called (each partition up to its end offset then), so
         * a test can look for what must not be there once the event that ends it was published, instead of polling a while.
         */
        public List<ConsumerRecord<String, Object>> readToEnd(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (consumer.assignment().isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Timed out after " + timeout + " waiting for the reader's partitions");
                }
                poll(Duration.ofMillis(100));
            }
            Map<org.apache.kafka.common.TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
            while (!ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Timed out after " + timeout + " reading to the end offsets " + ends);
                }
                poll(Duration.ofMillis(100));
            }
            return List.copyOf(seen);
        }

        private String describe() {
            return seen.stream().map(r -> r.topic() + ":" + (r.value() instanceof SpecificRecordBase e
                    ? e.getSchema().getName() + "(" + EventEnvelope.releaseId(e) + ")" : "bytes")).toList().toString();
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
            deserializer.close();
        }
    }
}
