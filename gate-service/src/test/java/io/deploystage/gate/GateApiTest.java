package io.deploystage.gate;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.Topics;
import io.deploystage.stack.EventClient;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.RealStackTest;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The gate's API on the real stack: reports in, decision out on Kafka; roles enforced; bad input refused. */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "gate"))
class GateApiTest extends RealStackTest {

    static byte[] sample(String name) {
        try (InputStream in = GateApiTest.class.getResourceAsStream("/reports/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> candidate(String releaseId) {
        return Map.of("releaseId", releaseId, "service", "checkout", "version", "1.4.0", "commitSha", "0a1b2c3d4e5f",
                "artifact", "registry.example.com/shop/checkout:1.4.0", "requiredGates", List.of("REVIEW", "TEST", "SECURITY"));
    }

    @Test
    void reportsInDecisionOutWithWaiversFromAnApproverButNeverFromTheRequester() {
        String releaseId = "api-" + UUID.randomUUID();
        String ci = token("rita", "ci"); // the pipeline's token names the person it runs for: rita requests the release
        Map<String, Object> claimed = new java.util.HashMap<>(candidate(releaseId));
        claimed.put("requestedBy", "dana");
        given().auth().oauth2(ci).contentType(ContentType.JSON).body(claimed).post("/releases").then().statusCode(400)
                .body("error", startsWith("requestedBy is who calls: the token names rita, the body dana")).body("where", equalTo("requestedBy"));
        claimed.put("requestedBy", "Rita");
        claimed.put("releaseId", "api-" + UUID.randomUUID());
        given().auth().oauth2(ci).contentType(ContentType.JSON).body(claimed).post("/releases").then().statusCode(202);
        given().auth().oauth2(ci).contentType(ContentType.JSON).body(candidate(releaseId))
                .post("/releases").then().statusCode(202).body("releaseId", equalTo(releaseId));
        given().auth().oauth2(ci).contentType(ContentType.JSON).body(Map.of("stage", "REVIEW", "verdict", "PASS"))
                .post("/releases/{id}/gate-results", releaseId).then().statusCode(202);
        given().auth().oauth2(ci).contentType(ContentType.XML).body(sample("surefire-TEST-shop.CartTest.xml"))
                .post("/releases/{id}/reports/junit", releaseId).then().statusCode(202).body("verdict", equalTo("PASS"));
        try (var reader = client.reader(List.of(Topics.GATE_DECISIONS))) {
            // coverage completes the test result once the gate has recorded it
            awaitStatus(releaseId, ci, body -> body.getList("latestResults.stage").contains("TEST"), "the test result recorded");
            given().auth().oauth2(ci).contentType(ContentType.XML).body(sample("jacoco.xml"))
                    .post("/releases/{id}/reports/jacoco", releaseId).then().statusCode(202).body("coverage", equalTo(84.0f));
            given().auth().oauth2(ci).contentType(ContentType.JSON).body(sample("semgrep.sarif"))
                    .post("/releases/{id}/reports/sarif", releaseId).then().statusCode(202)
                    .body("verdict", equalTo("PASS_WITH_WARNINGS")).body("findings", equalTo(2));
            awaitDecision(reader, releaseId, GateOutcome.BLOCKED);

            String expires = Instant.now().plus(Duration.ofDays(7)).toString();
            String template = "python.flask.security.audit.render-template-string.render-template-string@app/views.py:31";
            String debug = "python.flask.security.audit.debug-enabled.debug-enabled@app/settings.py:5";
            given().auth().oauth2(token("rita", "approver")).contentType(ContentType.JSON)
                    .body(Map.of("findingId", template, "rationale", "mine", "expiresAt", expires))
                    .post("/releases/{id}/waivers", releaseId).then().statusCode(403).body("error", startsWith("self-approval refused"));
            given().auth().oauth2(ci).contentType(ContentType.JSON)
                    .body(Map.of("findingId", template, "rationale", "ci cannot waive", "expiresAt", expires))
                    .post("/releases/{id}/waivers", releaseId).then().statusCode(403);
            given().auth().oauth2(token("dana", "approver")).contentType(ContentType.JSON)
                    .body(Map.of("findingId", "no-such-finding", "rationale", "x", "expiresAt", expires))
                    .post("/releases/{id}/waivers", releaseId).then().statusCode(404);
            given().auth().oauth2(token("dana", "approver")).contentType(ContentType.JSON)
                    .body(Map.of("findingId", template, "rationale", "templates are static in this build", "expiresAt", expires))
                    .post("/releases/{id}/waivers", releaseId).then().statusCode(201).body("outcome", equalTo("BLOCKED"));
            given().auth().oauth2(token("dana", "approver")).contentType(ContentType.JSON)
                    .body(Map.of("findingId", debug, "rationale", "debug is forced off by the production profile", "expiresAt", expires))
                    .post("/releases/{id}/waivers", releaseId).then().statusCode(201).body("outcome", equalTo("CLEARED"));
            GateDecision cleared = awaitDecision(reader, releaseId, GateOutcome.CLEARED);
            assertTrue(cleared.getReasons().stream().anyMatch(r -> r.getRule().equals("finding-accepted")
                    && r.getMessage().contains("dana")), cleared.getReasons().toString());
        }
        given().auth().oauth2(ci).get("/releases/{id}/gate", releaseId).then().statusCode(200)
                .body("outcome", equalTo("CLEARED")).body("announcedOutcome", equalTo("CLEARED")).body("waivers.size()", equalTo(2));
    }

    @Test
    void anUnresolvedCriticalFromTrivyBlocksAndNoWaiverLiftsIt() {
        String releaseId = "api-" + UUID.randomUUID();
        String ci = token("ci-bot", "ci");
        given().auth().oauth2(ci).contentType(ContentType.JSON).body(candidate(releaseId)).post("/releases").then().statusCode(202);
        given().auth().oauth2(ci).contentType(ContentType.JSON).body(sample("trivy.sarif"))
                .post("/releases/{id}/reports/sarif", releaseId).then().statusCode(202).body("verdict", equalTo("FAIL"));
        awaitStatus(releaseId, ci, body -> "BLOCKED".equals(body.getString("announcedOutcome")), "BLOCKED");
        given().auth().oauth2(ci).get("/releases/{id}/gate", releaseId).then()
                .body("reasons.findAll { it.rule == 'no-unresolved-critical' }.size()", equalTo(1));
    }

    /**
     * A SARIF log the size of a Trivy scan of a big image: {@code criticals} findings of CVSS 9.8, then MEDIUM and LOW
     * ones up to {@code total}, each with a long path and message (about 2.5 MiB in all).
     */
    static byte[] hugeSarif(int total, int criticals) {
        StringBuilder results = new StringBuilder();
        for (int i = 0; i < total; i++) {
            String score = i < criticals ? "9.8" : i % 2 == 0 ? "5.5" : "2.1";
            results.append(i == 0 ? "" : ",").append("{\"ruleId\": \"CVE-2026-").append(10000 + i).append("\", \"message\": {\"text\": \"")
                    .append("Package libexample").append(i).append(" ").append("is vulnerable to a heap overflow in its parser. ".repeat(20))
                    .append("\"}, \"properties\": {\"security-severity\": \"").append(score).append("\"}, \"locations\": [{\"physicalLocation\": ")
                    .append("{\"artifactLocation\": {\"uri\": \"usr/lib/x86_64-linux-gnu/").append("deeply/nested/".repeat(12)).append("lib")
                    .append(i).append(".so\"}}}]}");
        }
        return ("{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": \"Trivy\"}}, \"results\": [" + results + "]}]}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aScanTooBigForOneEventKeepsEveryCriticalAndIsDecidedAndOneWhoseCriticalsCannotFitIsRefused() {
        String ci = token("ci-bot", "ci");
        String releaseId = "api-" + UUID.randomUUID();
        byte[] scan = hugeSarif(2_000, 3);
        assertTrue(scan.length > 2_000_000, "larger than the broker takes in one record: " + scan.length);
        given().auth().oauth2(ci).contentType(ContentType.JSON).body(candidate(releaseId)).post("/releases").then().statusCode(202);
        given().auth().oauth2(ci).contentType(ContentType.JSON).body(scan).post("/releases/{id}/reports/sarif", releaseId).then()
                .statusCode(202).body("verdict", equalTo("FAIL")).body("findings", equalTo(2_000))
                .body("findingsOmitted", org.hamcrest.Matchers.greaterThan(0));
        // the result reached the gate through Kafka (it was not left unpublishable in the outbox): blocked by the criticals
        awaitStatus(releaseId, ci, body -> "BLOCKED".equals(body.getString("announcedOutcome")), "BLOCKED");
        given().auth().oauth2(ci).get("/releases/{id}/gate", releaseId).then()
                .body("reasons.findAll { it.rule == 'no-unresolved-critical' }.size()", equalTo(3)); // one per critical: all listed

        given().auth().oauth2(ci).contentType(ContentType.JSON).body(hugeSarif(2_000, 2_000))
                .post("/releases/{id}/reports/sarif", releaseId).then().statusCode(400)
                .body("error", startsWith("the report holds 2000 critical or high findings taking"))
                .body("where", equalTo("findings"));
    }

    @Test
    void missingOrWrongRolesGet401Or403AndChangeNothing() {
        String releaseId = "api-" + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(candidate(releaseId)).post("/releases").then().statusCode(401);
        given().auth().oauth2("not-a-token").contentType(ContentType.JSON).body(candidate(releaseId)).post("/releases").then().statusCode(401);
        given().auth().oauth2(token("dana", "approver")).contentType(ContentType.JSON).body(candidate(releaseId))
                .post("/releases").then().statusCode(403);
        given().auth().oauth2(token("mallory", "operator")).contentType(ContentType.JSON).body(Map.of("stage", "TEST", "verdict", "PASS"))
                .post("/releases/{id}/gate-results", releaseId).then().statusCode(403);
        given().get("/releases/{id}/gate", releaseId).then().statusCode(401);
        given().auth().oauth2(token("ci-bot", "ci")).get("/releases/{id}/gate", releaseId).then().statusCode(404);
    }

    @Test
    void malformedReportsAndRequestsGetA400ThatSaysWhatAndWhere() {
        String ci = token("ci-bot", "ci");
        given().auth().oauth2(ci).contentType(ContentType.JSON).body("{\"version\": \"2.1.0\",\n \"runs\": [ {] }")
                .post("/releases/{id}/reports/sarif", "api-x").then().statusCode(400)
                .body("error", startsWith("not valid JSON")).body("where", startsWith("line 2"));
        given().auth().oauth2(ci).contentType(ContentType.XML).body("<testsuite><testcase name='a'></testsuite>")
                .post("/releases/{id}/reports/junit", "api-x").then().statusCode(400).body("where", startsWith("line 1"));
        given().auth().oauth2(ci).contentType(ContentType.XML).body(sample("jacoco.xml"))
                .post("/releases/{id}/reports/pdf", "api-x").then().statusCode(400);
        given().auth().oauth2(ci).contentType(ContentType.XML).body(sample("cobertura.xml"))
                .post("/releases/{id}/reports/cobertura", "api-" + UUID.randomUUID()).then().statusCode(409);
        given().auth().oauth2(ci).contentType(ContentType.JSON).body(Map.of("stage", "DEPLOY", "verdict", "PASS"))
                .post("/releases/{id}/gate-results", "api-x").then().statusCode(400);
        Map<String, Object> hostile = new java.util.HashMap<>(candidate("api-$(rm -rf /)"));
        given().auth().oauth2(ci).contentType(ContentType.JSON).body(hostile).post("/releases").then().statusCode(400);
        // flag keys name plan steps and go into commands: a 190-character one would not fit a step id
        for (List<String> flags : List.of(List.of("f".repeat(190)), List.of("new checkout"), java.util.stream.IntStream.range(0, 21)
                .mapToObj(i -> "flag" + i).toList())) {
            Map<String, Object> flagged = new java.util.HashMap<>(candidate("api-" + UUID.randomUUID()));
            flagged.put("changeProfile", Map.of("dbMigration", "NONE", "featureFlags", flags));
            given().auth().oauth2(ci).contentType(ContentType.JSON).body(flagged).post("/releases").then().statusCode(400);
        }
        Map<String, Object> fits = new java.util.HashMap<>(candidate("api-" + UUID.randomUUID()));
        fits.put("changeProfile", Map.of("dbMigration", "NONE", "featureFlags", List.of("f".repeat(64))));
        given().auth().oauth2(ci).contentType(ContentType.JSON).body(fits).post("/releases").then().statusCode(202);
    }

    private static void awaitStatus(String releaseId, String token, java.util.function.Predicate<io.restassured.path.json.JsonPath> condition,
            String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            var response = given().auth().oauth2(token).get("/releases/{id}/gate", releaseId);
            last = response.asString();
            if (response.statusCode() == 200 && condition.test(response.jsonPath())) {
                return;
            }
            io.deploystage.stack.LocalStack.pause(100);
        }
        throw new AssertionError("release " + releaseId + " never showed " + what + "; last status " + last);
    }

    private static GateDecision awaitDecision(EventClient.Reader reader, String releaseId, GateOutcome outcome) {
        List<ConsumerRecord<String, Object>> seen = reader.awaitUntil(records -> records.stream().map(ConsumerRecord::value)
                .anyMatch(v -> v instanceof GateDecision d && d.getReleaseId().equals(releaseId) && d.getOutcome() == outcome),
                Duration.ofSeconds(30), outcome + " for " + releaseId);
        GateDecision decision = seen.stream().map(ConsumerRecord::value).filter(GateDecision.class::isInstance).map(GateDecision.class::cast)
                .filter(d -> d.getReleaseId().equals(releaseId) && d.getOutcome() == outcome).findFirst().orElseThrow();
        assertEquals(releaseId, decision.getReleaseId());
        return decision;
    }
}
