package io.deploystage.events;

import java.time.Instant;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecordBase;

/** Reads the fields every event carries (eventId, releaseId, occurredAt, causationId) from any contract. */
public final class EventEnvelope {

    private EventEnvelope() {
    }

    public static UUID eventId(SpecificRecordBase event) {
        return (UUID) event.get("eventId");
    }

    public static String releaseId(SpecificRecordBase event) {
        return (String) event.get("releaseId");
    }

    public static Instant occurredAt(SpecificRecordBase event) {
        return (Instant) event.get("occurredAt");
    }

    public static String causationId(SpecificRecordBase event) {
        return (String) event.get("causationId");
    }

    /**
     * The id of an event derived from {@code cause}: the same cause and purpose always give the same id,
     * so a redelivered cause re-derives an identical event that consumers recognise as a duplicate.
     * Example: derivedId(gateResultId, "gate-decision") is stable across restarts.
     */
    public static UUID derivedId(UUID cause, String purpose) {
        return UUID.nameUUIDFromBytes((cause + "/" + purpose).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Checks the common fields of an incoming event; returns the problem in words, or null when valid.
     * The record key must be the releaseId, so that all events of one release stay in one partition.
     */
    public static String validate(SpecificRecordBase event, String key) {
        if (event.getSchema().getField("eventId") == null) {
            return "missing common fields: " + event.getSchema().getFullName() + " is not an event contract";
        }
        String releaseId = releaseId(event);
        if (releaseId == null || releaseId.isBlank()) {
            return "releaseId is blank";
        }
        if (releaseId.length() > 200) {
            return "releaseId is longer than 200 characters";
        }
        if (key != null && !key.equals(releaseId)) {
            return "record key '" + abbreviate(key) + "' is not the releaseId '" + abbreviate(releaseId) + "'";
        }
        Instant occurredAt = occurredAt(event);
        if (occurredAt == null || occurredAt.toEpochMilli() <= 0) {
            return "occurredAt is missing";
        }
        return null;
    }

    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }
}
