package io.deploystage.console.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.deploystage.events.Cohort;
import io.deploystage.events.Environment;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.Verdict;

class EventJsonTest {

    private static final Instant AT = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void aVerdictIsSentWithTypedFieldsItsReleaseAndTheLineWatchersPrint() {
        HealthVerdict verdict = HealthVerdict.newBuilder().setEventId(java.util.UUID.fromString("6a1f0e4e-1d2b-4c47-9c1e-3f1a5b2c7d90")).setReleaseId("checkout-1.2.0")
                .setOccurredAt(AT).setDeploymentId("d-1").setCheck("ERROR_RATE").setVerdict(Verdict.FAILING).setValue(0.125)
                .setThreshold(0.01).setBaseline(Double.NaN).setSampleCount(240).setReason("error rate 12.50% over 1.00%")
                .setEnvironment(Environment.PRODUCTION).setCohort(Cohort.CANARY).build();

        EventJson.ConsoleEvent event = EventJson.of(7, "health-verdicts", AT, verdict);

        assertEquals(7, event.seq());
        assertEquals("HealthVerdict", event.type());
        assertEquals("checkout-1.2.0", event.releaseId());
        assertEquals(AT.toEpochMilli(), event.at());
        assertTrue(event.line().contains("ERROR_RATE (production canary) FAILING: error rate 12.50% over 1.00%"), event.line());
        Map<String, Object> fields = event.event();
        assertEquals(AT.toEpochMilli(), fields.get("occurredAt"), "timestamps as epoch milliseconds");
        assertEquals("FAILING", fields.get("verdict"), "enums by name");
        assertEquals(0.125, fields.get("value"));
        assertEquals("NaN", fields.get("baseline"), "a number JSON cannot hold is sent as text");
        assertEquals(240L, fields.get("sampleCount"));
        assertEquals(null, fields.get("windowStart"));
        assertEquals("6a1f0e4e-1d2b-4c47-9c1e-3f1a5b2c7d90", fields.get("eventId"));
    }

    @Test
    void valuesOfEveryKind() {
        record Case(Object in, Object out) {
        }
        List<Case> cases = List.of(new Case(null, null), new Case(true, true), new Case(3, 3), new Case(4L, 4L), new Case(1.5f, 1.5),
                new Case(Double.POSITIVE_INFINITY, "Infinity"), new Case(new org.apache.avro.util.Utf8("text"), "text"),
                new Case(java.nio.ByteBuffer.wrap(new byte[] {1, 2}), "AQI="), new Case(List.of(Verdict.HEALTHY), List.of("HEALTHY")),
                new Case(Map.of(new org.apache.avro.util.Utf8("k"), 1L), Map.of("k", 1L)), new Case(AT, AT.toEpochMilli()),
                new Case(java.util.UUID.fromString("6a1f0e4e-1d2b-4c47-9c1e-3f1a5b2c7d90"), "6a1f0e4e-1d2b-4c47-9c1e-3f1a5b2c7d90"));
        for (Case c : cases) {
            assertEquals(c.out(), EventJson.value(c.in()), String.valueOf(c.in()));
        }
    }

    @Test
    void markupInAnArtifactIsShownAsTextAndScriptLinksAreDropped() {
        String html = Markdown.html("# Plan <script>alert(1)</script>\n\n| step | what |\n|---|---|\n| 1 | <img src=x onerror=alert(1)> |\n\n"
                + "[click](javascript:alert(1))\n");
        assertFalse(html.contains("<script>") || html.contains("<img"), html);
        assertTrue(html.contains("&lt;script&gt;") && html.contains("&lt;img src=x onerror=alert(1)&gt;"), html);
        assertTrue(html.contains("<table>") && html.contains("<h1>"), "tables and headings rendered: " + html);
        assertFalse(html.contains("javascript:"), html);
    }
}
