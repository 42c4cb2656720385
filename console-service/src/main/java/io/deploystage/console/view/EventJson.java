package io.deploystage.console.view;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;

import io.deploystage.events.EventEnvelope;
import io.deploystage.events.EventFormatter;

/**
 * An event as the console sends it to browsers and to {@code deploy-stage watch}: its contract's fields as plain JSON
 * values (records as objects, enums as their names, timestamps as epoch milliseconds, bytes as base64), with where it
 * came from and the one-line description every watcher prints. Typed fields, so the page never parses text.
 */
public final class EventJson {

    private EventJson() {
    }

    /** What the console knows of one record, ready to serialise. */
    public record ConsoleEvent(long seq, String topic, String type, String releaseId, long at, String line, Map<String, Object> event) {
    }

    public static ConsoleEvent of(long seq, String topic, Instant at, SpecificRecordBase event) {
        return new ConsoleEvent(seq, topic, event.getSchema().getName(), EventEnvelope.releaseId(event), at.toEpochMilli(),
                EventFormatter.line(at, event), fields(event));
    }

    /** The record's fields by name, in the contract's order. */
    public static Map<String, Object> fields(GenericRecord record) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Schema.Field field : record.getSchema().getFields()) {
            out.put(field.name(), value(record.get(field.pos())));
        }
        return out;
    }

    static Object value(Object value) {
        if (value == null || value instanceof Boolean || value instanceof Integer || value instanceof Long) {
            return value;
        }
        if (value instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? d.toString() : d;
        }
        if (value instanceof Float f) {
            return value(f.doubleValue());
        }
        if (value instanceof GenericRecord record) {
            return fields(record);
        }
        if (value instanceof Collection<?> items) {
            return items.stream().map(EventJson::value).toList();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), value(v)));
            return out;
        }
        if (value instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        if (value instanceof ByteBuffer bytes) {
            ByteBuffer copy = bytes.duplicate();
            byte[] raw = new byte[copy.remaining()];
            copy.get(raw);
            return Base64.getEncoder().encodeToString(raw);
        }
        if (value instanceof Enum<?> symbol) {
            return symbol.name();
        }
        if (value instanceof GenericEnumSymbol<?> symbol) {
            return symbol.toString();
        }
        // CharSequence (String, Utf8), UUID
        return value.toString();
    }
}
