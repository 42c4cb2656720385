package io.deploystage.console.application;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.deploystage.console.view.EventJson;
import io.deploystage.events.AvroBinary;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * The console's view of the event topics: one consumer (the console's read-only principal, a group of its own, from
 * the earliest retained record) decodes every record into the contract it names and keeps the latest ones in memory;
 * each follower (a browser, {@code deploy-stage watch}) gets those, then every new one as it arrives. Nothing is
 * committed and nothing is written: a restarted console reads the topics again. A record that is not a known event
 * is skipped with a log line (it stays on its topic; the console is only a reader).
 */
@ApplicationScoped
public class EventFeed {

    private static final Logger LOG = Logger.getLogger(EventFeed.class);

    /** One event as sent: its release (for filters) and its JSON. */
    record Published(String releaseId, String json) {
    }

    private record Follower(MultiEmitter<? super String> emitter, Predicate<Published> wanted) {
    }

    private final ObjectMapper json;
    private final Map<String, Object> kafka;
    private final List<String> topics;
    private final int capacity;
    private final Map<String, Object> registry = new HashMap<>();

    private final ArrayDeque<Published> recent = new ArrayDeque<>();
    private final List<Follower> followers = new ArrayList<>();
    private long seq;
    private volatile boolean caughtUp;
    private volatile boolean running = true;
    private Thread consumer;

    @Inject
    EventFeed(ObjectMapper json, @Identifier("default-kafka-broker") Map<String, Object> kafka,
            @ConfigProperty(name = "console.topics") List<String> topics, @ConfigProperty(name = "console.buffer-size", defaultValue = "20000") int capacity,
            @ConfigProperty(name = "deploystage.registry-url") String registryUrl,
            @ConfigProperty(name = "deploystage.registry-username") Optional<String> registryUser,
            @ConfigProperty(name = "deploystage.registry-password") Optional<String> registryPassword) {
        this.json = json;
        this.kafka = kafka;
        this.topics = topics;
        this.capacity = capacity;
        registry.put("apicurio.registry.url", registryUrl);
        registry.put("apicurio.registry.use-specific-avro-reader", false);
        registryUser.filter(u -> !u.isBlank()).ifPresent(user -> {
            registry.put("apicurio.registry.auth.username", user);
            registry.put("apicurio.registry.auth.password", registryPassword.orElse(""));
        });
    }

    void start(@Observes StartupEvent ignored) {
        consumer = new Thread(this::consume, "console-feed");
        consumer.setDaemon(true);
        consumer.start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        running = false;
    }

    /** True once the consumer has read up to the end of the topics as they were when it started. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /**
     * The events of one release (or of all, {@code releaseId} null) as JSON: the ones held, when {@code replay}, then
     * every new one. A follower that falls more than the buffer's size behind is ended (it reconnects).
     */
    public Multi<String> follow(String releaseId, boolean replay) {
        Predicate<Published> wanted = releaseId == null ? p -> true : p -> releaseId.equals(p.releaseId());
        return Multi.createFrom().emitter(emitter -> {
            Follower follower = new Follower(emitter, wanted);
            synchronized (this) {
                if (replay) {
                    recent.stream().filter(wanted).forEach(p -> emitter.emit(p.json()));
                }
                followers.add(follower);
            }
            emitter.onTermination(() -> {
                synchronized (this) {
                    followers.remove(follower);
                }
            });
        }, capacity + 10_000);
    }

    private void consume() {
        Properties props = new Properties();
        props.putAll(kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "console-service-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
        while (running) {
            try (KafkaConsumer<String, byte[]> kafkaConsumer = new KafkaConsumer<>(props);
                    AvroKafkaDeserializer<Object> decoder = new AvroKafkaDeserializer<>()) {
                decoder.configure(registry, false);
                kafkaConsumer.subscribe(topics);
                LOG.infof("Console: reading %s from the earliest retained record", topics);
                long read = 0;
                while (running) {
                    var records = kafkaConsumer.poll(Duration.ofMillis(500));
                    for (ConsumerRecord<String, byte[]> record : records) {
                        accept(decoder, record);
                        read++;
                    }
                    if (!caughtUp && !kafkaConsumer.assignment().isEmpty() && records.isEmpty()) {
                        caughtUp = true;
                        LOG.infof("Console: caught up with the topics (%d records read, %d held)", read, recent.size());
                    }
                }
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warnf("Console: reading the topics failed (%s: %s); again in 2 s", e.getClass().getSimpleName(), e.getMessage());
                sleep();
            }
        }
    }

    private void accept(AvroKafkaDeserializer<Object> decoder, ConsumerRecord<String, byte[]> record) {
        SpecificRecordBase event;
        try {
            Object value = decoder.deserialize(record.topic(), record.headers(), record.value());
            if (!(value instanceof GenericRecord generic)) {
                throw new IllegalArgumentException("not an Avro record");
            }
            event = AvroBinary.toContract(generic);
        } catch (RuntimeException e) {
            LOG.warnf("Console: skipped %s-%d@%d, not a known event (%s)", record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        String text;
        synchronized (this) {
            try {
                text = json.writeValueAsString(EventJson.of(++seq, record.topic(), Instant.ofEpochMilli(record.timestamp()), event));
            } catch (JsonProcessingException e) {
                LOG.warnf("Console: cannot write %s-%d@%d as JSON: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
                return;
            }
            Published published = new Published(record.key() == null ? "" : record.key(), text);
            recent.addLast(published);
            if (recent.size() > capacity) {
                recent.removeFirst();
            }
            for (Follower follower : List.copyOf(followers)) {
                if (follower.wanted().test(published)) {
                    follower.emitter().emit(text);
                }
            }
        }
    }

    private void sleep() {
        try {
            Thread.sleep(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
