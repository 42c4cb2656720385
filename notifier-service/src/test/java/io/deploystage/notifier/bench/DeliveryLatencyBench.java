package io.deploystage.notifier.bench;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.Strategy;
import io.deploystage.stack.FreePorts;
import io.deploystage.stack.LocalStack;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.RealStackTest;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Outcome event to webhook delivered, one instance, real broker: from the outcome's producer timestamp to the moment
 * the receiver on localhost has the request. Target p99 <= 100 ms.
 * Run on purpose: ./mvnw -B -Pbench -pl notifier-service -am verify -Dtest=DeliveryLatencyBench -Dsurefire.failIfNoSpecifiedTests=false
 */
@Tag("bench")
@QuarkusTest
@TestProfile(DeliveryLatencyBench.Hook.class)
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "notifier"))
class DeliveryLatencyBench extends RealStackTest {

    static final Map<String, Long> RECEIVED = new ConcurrentHashMap<>();
    static final HttpServer SERVER = server();

    static HttpServer server() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 0);
            server.createContext("/", exchange -> {
                long now = System.currentTimeMillis();
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                int at = body.indexOf("\"releaseId\":\"");
                if (at >= 0) {
                    RECEIVED.putIfAbsent(body.substring(at + 13, body.indexOf('"', at + 13)), now);
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every event to one generic webhook. */
    public static class Hook implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("notifier.destinations.hook.kind", "webhook",
                    "notifier.destinations.hook.url", "http://127.0.0.1:" + SERVER.getAddress().getPort() + "/hook",
                    "notifier.routes.\"*\"", "hook");
        }
    }

    @Test
    void outcomeToWebhook() {
        int outcomes = Integer.getInteger("bench.outcomes", 200);
        measure(20, "warm-up");
        measure(outcomes, "measured");
    }

    private static void measure(int outcomes, String label) {
        long[] latencies = new long[outcomes];
        for (int i = 0; i < outcomes; i++) {
            String releaseId = "nbench-" + UUID.randomUUID();
            Instant sent = Instant.now();
            client.publish(DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(sent)
                    .setDeploymentId(UUID.randomUUID().toString()).setService("checkout").setVersion("1.0." + i).setStrategy(Strategy.ROLLING)
                    .setOutcome(DeploymentResult.DEPLOYED).build());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!RECEIVED.containsKey(releaseId)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not delivered: " + releaseId);
                }
                LocalStack.pause(1);
            }
            latencies[i] = RECEIVED.get(releaseId) - sent.toEpochMilli();
        }
        Arrays.sort(latencies);
        System.out.printf("%n| %s | outcomes %d | p50 %d ms | p99 %d ms | max %d ms |%n%n", label, outcomes,
                latencies[(int) Math.ceil(0.5 * outcomes) - 1], latencies[(int) Math.ceil(0.99 * outcomes) - 1], latencies[outcomes - 1]);
    }
}
