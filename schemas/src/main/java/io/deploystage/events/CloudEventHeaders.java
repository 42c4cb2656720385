package io.deploystage.events;

import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.avro.specific.SpecificRecordBase;

/**
 * The CloudEvents attributes every record carries as Kafka headers (the Kafka protocol binding, binary content mode), so
 * a consumer that does not read Avro can still route by type, release and time: {@code ce_specversion} 1.0, {@code ce_id}
 * (the eventId), {@code ce_type} (the contract's full name, e.g. io.deploystage.events.GateDecision), {@code ce_source}
 * (/deploy-stage/&lt;service&gt;), {@code ce_time} (occurredAt, RFC 3339), {@code ce_subject} (the releaseId), and
 * {@code content-type} application/avro (the value is the registry's Avro encoding).
 */
public final class CloudEventHeaders {

    public static final String CONTENT_TYPE = "application/avro";

    private CloudEventHeaders() {
    }

    /** The headers of an event emitted by {@code service}, in the order they are written. */
    public static Map<String, String> of(SpecificRecordBase event, String service) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ce_specversion", "1.0");
        headers.put("ce_id", EventEnvelope.eventId(event).toString());
        headers.put("ce_type", event.getSchema().getFullName());
        headers.put("ce_source", "/deploy-stage/" + service);
        headers.put("ce_time", DateTimeFormatter.ISO_INSTANT.format(EventEnvelope.occurredAt(event)));
        headers.put("ce_subject", EventEnvelope.releaseId(event));
        headers.put("content-type", CONTENT_TYPE);
        return headers;
    }
}
