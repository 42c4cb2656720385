package io.deploystage.platform.messaging;

import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.deploystage.events.AvroBinary;
import io.deploystage.events.EventEnvelope;
import io.deploystage.platform.config.PlatformConfig;

/**
 * Turns the raw bytes of a record into its Avro contract with Apicurio's deserializer. Channels receive raw
 * bytes so that a record that cannot be read is dead-lettered with its original bytes instead of stopping the
 * consumer.
 */
@ApplicationScoped
public class EventDecoder {

    private final AvroKafkaDeserializer<Object> deserializer = new AvroKafkaDeserializer<>();

    EventDecoder(PlatformConfig config) {
        deserializer.configure(Map.of(
                "apicurio.registry.url", config.registryUrl(),
                "apicurio.registry.use-specific-avro-reader", false,
                "apicurio.registry.retry-count", 2,
                "apicurio.registry.retry-backoff-ms", 100), false);
    }

    /** Decodes a record as the expected contract, or throws {@link RejectedEvent} with the reason. */
    public <T extends SpecificRecordBase> T decode(ConsumerRecord<String, byte[]> record, Class<T> expected) {
        if (record.value() == null || record.value().length == 0) {
            throw new RejectedEvent("empty value");
        }
        Object value;
        try {
            value = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            throw new RejectedEvent("not a readable Avro record with a registered schema: " + rootMessage(e));
        }
        if (!(value instanceof GenericRecord generic)
                || !generic.getSchema().getFullName().equals(expected.getName())) {
            String actual = value instanceof GenericRecord g ? g.getSchema().getFullName() : String.valueOf(value);
            throw new RejectedEvent("expected " + expected.getSimpleName() + " but the record's schema is " + actual);
        }
        T event;
        try {
            event = AvroBinary.fromGeneric(generic, expected);
        } catch (IllegalArgumentException e) {
            throw new RejectedEvent("cannot read as " + expected.getSimpleName() + ": " + rootMessage(e));
        }
        String problem = EventEnvelope.validate(event, record.key());
        if (problem != null) {
            throw new RejectedEvent("invalid " + expected.getSimpleName() + ": " + problem);
        }
        return event;
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
        return message.length() <= 300 ? message : message.substring(0, 300) + "…";
    }

}
