package io.deploystage.executor;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.deploystage.events.OperatorAction;
import io.deploystage.events.OperatorCommand;
import io.deploystage.stack.LocalStack;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.RealStackTest;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The built-in flag store over OFREP on the real database, and its kill switch through REST and Kafka. */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "executor"))
@WithTestResource(SampleToolsResource.class)
class FlagStoreTest extends RealStackTest {

    static boolean evaluate(String key, String targetingKey) {
        return given().contentType(ContentType.JSON).body(Map.of("context", Map.of("targetingKey", targetingKey)))
                .post("/ofrep/v1/evaluate/flags/{key}", key).then().statusCode(200).extract().jsonPath().getBoolean("value");
    }

    static void set(String key, boolean enabled, int percent) {
        given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON)
                .body(Map.of("enabled", enabled, "internalEnabled", true, "internalUsers", List.of("dana"), "rolloutPercent", percent))
                .put("/flags/{key}", key).then().statusCode(200);
    }

    @Test
    void flagsAreOffByDefaultAndServedOverOfrep() {
        String key = "flag-" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType(ContentType.JSON).body(Map.of("context", Map.of("targetingKey", "u1")))
                .post("/ofrep/v1/evaluate/flags/{key}", key).then().statusCode(404).body("errorCode", equalTo("FLAG_NOT_FOUND"));
        set(key, false, 100);
        assertEquals(false, evaluate(key, "u1"), "not enabled: off");
        set(key, true, 0);
        given().contentType(ContentType.JSON).body(Map.of("context", Map.of("targetingKey", "dana")))
                .post("/ofrep/v1/evaluate/flags/{key}", key).then().statusCode(200)
                .body("value", equalTo(true)).body("reason", equalTo("TARGETING_MATCH")).body("variant", equalTo("on"));
        assertEquals(false, evaluate(key, "u1"), "0%: only internal users");
        set(key, true, 25);
        long on = java.util.stream.IntStream.range(0, 400).filter(i -> evaluate(key, "user-" + i)).count();
        assertTrue(on > 60 && on < 140, "about a quarter of 400 users: " + on);
        given().contentType(ContentType.JSON).body(Map.of("context", Map.of("internal", false)))
                .post("/ofrep/v1/evaluate/flags/{key}", key).then().statusCode(400).body("errorCode", equalTo("TARGETING_KEY_MISSING"));
        given().contentType(ContentType.JSON).body(Map.of("context", Map.of("targetingKey", "u1"))).post("/ofrep/v1/evaluate/flags")
                .then().statusCode(200).body("flags.find { it.key == '" + key + "' }.reason", equalTo("SPLIT"));
    }

    @Test
    void badEvaluationRequestsGetOfrepErrorsAndTheNextOneIsServed() {
        String key = "flag-" + UUID.randomUUID().toString().substring(0, 8);
        set(key, true, 100);
        given().contentType(ContentType.JSON).body("{\"context\": {\"targetingKey\": ").post("/ofrep/v1/evaluate/flags/{key}", key)
                .then().statusCode(400).body("errorCode", equalTo("PARSE_ERROR"));
        given().contentType(ContentType.JSON).body("[1, 2]").post("/ofrep/v1/evaluate/flags/{key}", key)
                .then().statusCode(400).body("errorCode", equalTo("PARSE_ERROR"));
        given().contentType(ContentType.JSON).body(Map.of("context", "u1")).post("/ofrep/v1/evaluate/flags/{key}", key)
                .then().statusCode(400).body("errorCode", equalTo("INVALID_CONTEXT"));
        given().contentType(ContentType.JSON).body(Map.of("context", Map.of("targetingKey", "u1"))).post("/ofrep/v1/evaluate/flags/{key}",
                "-" + "x".repeat(300)).then().statusCode(400).body("errorCode", equalTo("GENERAL"));
        given().contentType(ContentType.JSON).body("{\"context\": {\"targetingKey\": \"" + "u".repeat(70_000) + "\"}}")
                .post("/ofrep/v1/evaluate/flags/{key}", key).then().statusCode(413);
        assertEquals(true, evaluate(key, "u1"), "served as before");
    }

    @Test
    void theKillSwitchIsOffForTheVeryNextEvaluationOnceItsCallIsAnswered() {
        String key = "flag-" + UUID.randomUUID().toString().substring(0, 8);
        set(key, true, 100);
        assertTrue(evaluate(key, "u1"));
        long started = System.nanoTime();
        given().auth().oauth2(token("olga", "operator")).post("/flags/{key}/kill", key).then().statusCode(200);
        System.out.println("Kill switch through REST: answered after " + (System.nanoTime() - started) / 1_000_000 + " ms");
        assertEquals(false, evaluate(key, "u1"), "off for the next evaluation: the kill is committed and the cache dropped before the answer");
        assertEquals(false, evaluate(key, "dana"), "off for internal users too");
    }

    @Test
    void anOperatorCommandOnKafkaKillsAFlag() {
        String key = "flag-" + UUID.randomUUID().toString().substring(0, 8);
        set(key, true, 100);
        long started = System.nanoTime();
        client.publish(OperatorCommand.newBuilder().setEventId(UUID.randomUUID()).setReleaseId("rel-" + key).setOccurredAt(Instant.now())
                .setDeploymentId("d-" + key).setAction(OperatorAction.FLAG_KILL).setOperator("olga").setFlagKey(key).build());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (evaluate(key, "u1")) {
            assertTrue(System.nanoTime() < deadline, "the kill command did not take effect");
            LocalStack.pause(20);
        }
        System.out.println("Kill switch through Kafka: off " + (System.nanoTime() - started) / 1_000_000 + " ms after publishing");
    }

    @jakarta.inject.Inject
    io.deploystage.executor.application.FlagCache cache;

    @Test
    void evaluationsOfManyUnknownKeysKeepTheCacheBounded() {
        int most = 0;
        for (int i = 0; i < 200; i++) {
            given().contentType(ContentType.JSON).body(Map.of("context", Map.of("targetingKey", "u1")))
                    .post("/ofrep/v1/evaluate/flags/{key}", "no-such-flag-" + i).then().statusCode(404);
            assertTrue(cache.size() <= 50, "at most executor.flags.cache-entries (50 here): " + cache.size());
            most = Math.max(most, cache.size());
        }
        assertTrue(most >= 40, "the cache was in use (filled to " + most + "), so the bound was what held it");
    }

    @Test
    void onlyOperatorsChangeFlags() {
        given().contentType(ContentType.JSON).body(Map.of("enabled", true, "rolloutPercent", 100)).put("/flags/x").then().statusCode(401);
        given().auth().oauth2(token("ci-bot", "ci")).contentType(ContentType.JSON).body(Map.of("enabled", true, "rolloutPercent", 100))
                .put("/flags/x").then().statusCode(403);
        given().auth().oauth2(token("ci-bot", "ci")).post("/flags/x/kill").then().statusCode(403);
        given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON).body(Map.of("enabled", true, "rolloutPercent", 101))
                .put("/flags/x").then().statusCode(400);
    }
}
