package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import io.deploystage.events.EventEnvelope;
import io.deploystage.events.NotificationRecord;
import io.deploystage.events.Topics;
import io.deploystage.stack.Await;
import io.deploystage.stack.OtlpReceiver.ReceivedSpan;
import io.deploystage.stack.ServiceProcess;

/**
 * One release is one trace: submitted through the gate's API, its events carry the trace context on the records
 * (traceparent) and every service's spans for it, exported over OTLP to a collector, share one trace id that starts
 * at the API request.
 */
class TracingTest {

    /** The service this class releases: the sample installed under its own name. */
    static final String SERVICE = "traced-checkout";

    static final List<String> FLOW_TOPICS = List.of(Topics.RELEASE_CANDIDATES, Topics.GATE_RESULTS, Topics.GATE_DECISIONS,
            Topics.DEPLOYMENT_PLANS, Topics.STEP_EVENTS, Topics.DEPLOYMENT_OUTCOMES, Topics.NOTIFICATION_RECORDS);

    @Test
    void aReleaseSubmittedThroughTheGateApiIsOneTraceAcrossTheFiveServices() throws Exception {
        RunningSystem system = RunningSystem.get();
        system.sample(SERVICE);
        String releaseId = "traced-" + UUID.randomUUID();
        String gate = system.service("gate-service").baseUrl();
        String token = system.stack.tokens().mint("ci-bot", "ci");
        List<ConsumerRecord<String, Object>> seen;
        try (var reader = system.client.reader(FLOW_TOPICS)) {
            post(gate + "/releases", token, """
                    {"releaseId": "%s", "service": "%s", "version": "1.1.0", "commitSha": "0123456789abcdef",
                     "artifact": "%s:1.1.0", "changeProfile": {"dbMigration": "NONE", "userFacing": true},
                     "requiredGates": ["REVIEW", "TEST", "SECURITY"]}""".formatted(releaseId, SERVICE, SERVICE));
            for (String stage : List.of("REVIEW", "TEST", "SECURITY")) {
                post(gate + "/releases/" + releaseId + "/gate-results", token, "{\"stage\": \"" + stage + "\", \"verdict\": \"PASS\"}");
            }
            seen = reader.awaitUntil(records -> records.stream().anyMatch(r -> r.value() instanceof NotificationRecord n
                    && n.getReleaseId().equals(releaseId)), Duration.ofSeconds(90), "the release's NotificationRecord");
        }

        // every record of the release carries a traceparent, all of one trace
        List<ConsumerRecord<String, Object>> ofRelease = seen.stream().filter(r -> r.value() instanceof SpecificRecordBase e
                && EventEnvelope.releaseId(e).equals(releaseId)).toList();
        Set<String> topics = ofRelease.stream().map(ConsumerRecord::topic).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(FLOW_TOPICS), topics, "the release went through every hop");
        Set<String> traceIds = new HashSet<>();
        StringBuilder trail = new StringBuilder();
        for (ConsumerRecord<String, Object> record : ofRelease) {
            Header carried = record.headers().lastHeader("traceparent");
            trail.append('\n').append(record.topic()).append(' ').append(record.value().getClass().getSimpleName()).append(' ')
                    .append(carried == null ? "-" : new String(carried.value(), StandardCharsets.UTF_8));
        }
        for (ConsumerRecord<String, Object> record : ofRelease) {
            Header header = record.headers().lastHeader("traceparent");
            assertNotNull(header, record.topic() + " " + record.value().getClass().getSimpleName() + " carries a traceparent");
            String traceparent = new String(header.value(), StandardCharsets.UTF_8);
            assertTrue(traceparent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"), traceparent);
            traceIds.add(traceparent.substring(3, 35));
        }
        assertEquals(1, traceIds.size(), "one trace for the release's records:" + trail + "\nspans: "
                + system.traces.spans().stream().filter(sp -> traceIds.contains(sp.traceId())).map(Object::toString).collect(Collectors.joining("\n")));
        String traceId = traceIds.iterator().next();

        // the five services exported spans of that trace; each one's spans for the release are in it and nowhere else
        Set<String> services = new TreeSet<>(ServiceProcess.SERVICES);
        List<ReceivedSpan> trace = Await.until(Duration.ofSeconds(30), "spans of the release's trace from " + services,
                () -> system.traces.spans().stream().filter(s -> s.traceId().equals(traceId)).toList(),
                spans -> spans.stream().map(ReceivedSpan::service).collect(Collectors.toSet()).containsAll(services));
        List<ReceivedSpan> aboutRelease = system.traces.spans().stream()
                .filter(s -> releaseId.equals(s.attributes().get("deploystage.release_id"))).toList();
        assertFalse(aboutRelease.isEmpty());
        Map<String, Set<String>> elsewhere = aboutRelease.stream().filter(s -> !s.traceId().equals(traceId))
                .collect(Collectors.groupingBy(ReceivedSpan::service, Collectors.mapping(ReceivedSpan::name, Collectors.toSet())));
        assertEquals(Map.of(), elsewhere, "spans about the release outside its trace");

        // it starts at the API: the root is the gate's server span of the submission
        List<ReceivedSpan> roots = trace.stream().filter(s -> s.parentSpanId().isEmpty()).toList();
        assertEquals(1, roots.size(), "one root: " + roots);
        assertEquals("gate-service", roots.get(0).service());
        assertTrue(roots.get(0).name().startsWith("POST"), roots.get(0).toString());
        // and it is a tree: every other span's parent is in the trace, and each hop's "process" follows a "publish"
        Map<String, ReceivedSpan> byId = Await.until(Duration.ofSeconds(10), "every parent of the trace's spans exported",
                () -> system.traces.spans().stream().filter(s -> s.traceId().equals(traceId))
                        .collect(Collectors.toMap(ReceivedSpan::spanId, s -> s, (a, b) -> a)),
                spans -> spans.values().stream().allMatch(s -> s.parentSpanId().isEmpty() || spans.containsKey(s.parentSpanId())));
        for (ReceivedSpan span : byId.values()) {
            if (span.name().startsWith("process ")) {
                ReceivedSpan parent = byId.get(span.parentSpanId());
                assertTrue(parent.name().startsWith("publish ") || parent.name().startsWith("process "), span + " follows " + parent);
            }
        }
        System.out.printf("TracingTest: release %s is trace %s: %d spans, by service %s%n", releaseId, traceId, byId.size(),
                byId.values().stream().collect(Collectors.groupingBy(ReceivedSpan::service, java.util.TreeMap::new, Collectors.counting())));
    }

    private static void post(String url, String token, String json) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), url + ": " + response.body());
    }
}
