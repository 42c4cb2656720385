package io.deploystage.platform.messaging;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.deploystage.events.AvroBinary;
import io.deploystage.events.EventEnvelope;
import io.deploystage.platform.config.PlatformConfig;
import io.deploystage.platform.domain.Texts;
import io.deploystage.platform.health.Dependencies;

/**
 * Turns the raw bytes of a record into its Avro contract with Apicurio's deserializer. Channels receive raw
 * bytes so that a record that cannot be read is dead-lettered with its original bytes instead of stopping the
 * consumer.
 */
@ApplicationScoped
public class EventDecoder {

    private final AvroKafkaDeserializer<Object> deserializer = new AvroKafkaDeserializer<>();

    /**
     * Readers by the record's schema reference (the bytes ahead of the Avro payload: magic byte and id) and contract.
     * Apicurio's deserializer fingerprints the writer schema on every record, and a generic record then has to be
     * converted; once a reference has been resolved through it, its records are read straight into the contract.
     */
    private final Map<Reference, SpecificDatumReader<?>> readers = new ConcurrentHashMap<>();

    /** How many bytes precede the Avro payload; learnt from the first record read through the deserializer, -1 before. */
    private volatile int headerLength = -1;

    private record Reference(String header, Class<?> type) {
    }

    private final Dependencies dependencies;

    EventDecoder(PlatformConfig config, Dependencies dependencies) {
        this.dependencies = dependencies;
        Map<String, Object> serde = new java.util.HashMap<>(Map.of(
                "apicurio.registry.url", config.registryUrl(),
                "apicurio.registry.use-specific-avro-reader", false,
                "apicurio.registry.retry-count", 2,
                "apicurio.registry.retry-backoff-ms", 100,
                "apicurio.registry.schema-resolver", BoundedSchemaResolver.class.getName()));
        config.registryUsername().ifPresent(user -> serde.put("apicurio.registry.auth.username", user));
        config.registryPassword().ifPresent(password -> serde.put("apicurio.registry.auth.password", password));
        deserializer.configure(serde, false);
    }

    /**
     * Decodes a record as the expected contract, or throws {@link RejectedEvent} with the reason, or
     * {@link DependencyUnavailable} when its schema cannot be fetched because the registry does not answer (blocks: call
     * it off the event loop).
     */
    public <T extends SpecificRecordBase> T decode(ConsumerRecord<String, byte[]> record, Class<T> expected) {
        if (record.value() == null || record.value().length == 0) {
            throw new RejectedEvent("empty value");
        }
        T event = headerLength > 0 ? fast(record.value(), expected) : null;
        if (event == null) {
            event = slow(record, expected);
        }
        String problem = EventEnvelope.validate(event, record.key());
        if (problem != null) {
            throw new RejectedEvent("invalid " + expected.getSimpleName() + ": " + problem);
        }
        return event;
    }

    private <T extends SpecificRecordBase> T fast(byte[] value, Class<T> expected) {
        int header = headerLength;
        if (value.length <= header || value[0] != 0) {
            return null;
        }
        @SuppressWarnings("unchecked")
        SpecificDatumReader<T> reader = (SpecificDatumReader<T>) readers.get(new Reference(new String(value, 0, header,
                StandardCharsets.ISO_8859_1), expected));
        if (reader == null) {
            return null;
        }
        try {
            return AvroBinary.decode(reader, value, header, value.length - header, expected);
        } catch (IllegalArgumentException e) {
            throw new RejectedEvent("cannot read as " + expected.getSimpleName() + ": " + rootMessage(e));
        }
    }

    private <T extends SpecificRecordBase> T slow(ConsumerRecord<String, byte[]> record, Class<T> expected) {
        Object value;
        try {
            value = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            // the record is at fault only if the registry answers: while it is down, or left a call unanswered, no schema can be fetched
            if (BoundedSchemaResolver.NoAnswer.in(e)) {
                throw new DependencyUnavailable("the schema registry did not answer in time", e);
            }
            String registry = dependencies.registryProblem().await().atMost(java.time.Duration.ofSeconds(5));
            if (registry != null) {
                throw new DependencyUnavailable(registry, e);
            }
            throw new RejectedEvent("not a readable Avro record with a registered schema: " + rootMessage(e));
        }
        if (!(value instanceof GenericRecord generic)
                || !generic.getSchema().getFullName().equals(expected.getName())) {
            String actual = value instanceof GenericRecord g ? g.getSchema().getFullName() : String.valueOf(value);
            throw new RejectedEvent("expected " + expected.getSimpleName() + " but the record's schema is " + actual);
        }
        byte[] avro = AvroBinary.encodeGeneric(generic);
        T event;
        try {
            event = AvroBinary.decode(avro, generic.getSchema(), expected);
        } catch (IllegalArgumentException e) {
            throw new RejectedEvent("cannot read as " + expected.getSimpleName() + ": " + rootMessage(e));
        }
        remember(record.value(), avro, generic, expected);
        return event;
    }

    /** When the record is a header followed by exactly this Avro payload, later records with the same header take the fast path. */
    private void remember(byte[] value, byte[] avro, GenericRecord generic, Class<? extends SpecificRecordBase> expected) {
        int header = value.length - avro.length;
        if (header <= 0 || value[0] != 0 || !Arrays.equals(value, header, value.length, avro, 0, avro.length)
                || (headerLength > 0 && headerLength != header)) {
            return;
        }
        headerLength = header;
        readers.computeIfAbsent(new Reference(new String(value, 0, header, StandardCharsets.ISO_8859_1), expected),
                r -> AvroBinary.readerFor(generic.getSchema(), expected));
    }

    @PreDestroy
    void close() {
        deserializer.close();
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return Texts.abbreviate(message, 300);
    }

}
