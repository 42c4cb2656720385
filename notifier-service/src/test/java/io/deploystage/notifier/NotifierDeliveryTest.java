package io.deploystage.notifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.deploystage.events.DeliveryStatus;
import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.NotificationRecord;
import io.deploystage.events.Strategy;
import io.deploystage.events.Topics;
import io.deploystage.notifier.domain.WebhookSignature;
import io.deploystage.stack.FreePorts;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.RealStackTest;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Outcomes delivered to real HTTP receivers on localhost: a signed generic webhook that fails three times and then
 * succeeds is applied exactly once; a Slack receiver gets Block Kit; every attempt is recorded.
 */
@QuarkusTest
@TestProfile(NotifierDeliveryTest.Receivers.class)
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "notifier"))
class NotifierDeliveryTest extends RealStackTest {

    static final String SECRET = "s3cret-for-tests";
    static final Receiver RECEIVER = new Receiver();
    static final java.nio.file.Path REPOSITORY = gitRepository();

    static java.nio.file.Path gitRepository() {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("changelog-repo");
            org.eclipse.jgit.api.Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call().close();
            return dir;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Routes every event to the log, a flaky signed webhook and a Slack receiver. */
    public static class Receivers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("notifier.destinations.hook.kind", "webhook"),
                    Map.entry("notifier.destinations.hook.url", RECEIVER.url("/hook")),
                    Map.entry("notifier.destinations.hook.secret", SECRET),
                    Map.entry("notifier.destinations.slack.kind", "slack"),
                    Map.entry("notifier.destinations.slack.url", RECEIVER.url("/slack")),
                    Map.entry("notifier.destinations.teams.kind", "teams"),
                    Map.entry("notifier.destinations.teams.url", RECEIVER.url("/teams")),
                    Map.entry("notifier.destinations.changelog.kind", "changelog"),
                    Map.entry("notifier.destinations.changelog.repository", REPOSITORY.toString()),
                    Map.entry("notifier.routes.\"*\"", "log,hook,slack,teams,changelog"),
                    Map.entry("notifier.plans-base-url", "http://planner.example"),
                    Map.entry("notifier.retry.base", "50ms"),
                    Map.entry("notifier.retry.max", "200ms"));
        }
    }

    /** An HTTP receiver that records requests, fails the first three on /hook, and applies each Idempotency-Key once. */
    static final class Receiver {
        final HttpServer server;
        final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
        final List<String> applied = new CopyOnWriteArrayList<>();
        final AtomicInteger hookCalls = new AtomicInteger();

        Receiver() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.createContext("/", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String path = exchange.getRequestURI().getPath();
                requests.add(Map.of("path", path, "body", body,
                        "key", String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key")),
                        "timestamp", String.valueOf(exchange.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER)),
                        "signature", String.valueOf(exchange.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER))));
                int status = path.equals("/hook") && hookCalls.incrementAndGet() <= 3 ? 503 : 200;
                if (status == 200) {
                    String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
                    if (!applied.contains(path + key)) {
                        applied.add(path + key);
                    }
                }
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }
    }

    @Test
    void aReceiverThatFailsThreeTimesGetsTheSignedMessageExactlyOnceAndSlackGetsBlockKit() throws Exception {
        String releaseId = "note-" + UUID.randomUUID();
        DeploymentOutcome outcome = DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId)
                .setOccurredAt(Instant.now()).setDeploymentId(UUID.randomUUID().toString()).setService("checkout").setVersion("1.2.0")
                .setStrategy(Strategy.CANARY).setOutcome(DeploymentResult.ROLLED_BACK)
                .setReason("error rate 5.00% exceeds 1.00% (250/5000) <@channel>").build();
        try (var reader = client.reader(List.of(Topics.NOTIFICATION_RECORDS))) {
            client.publish(outcome);
            client.publish(outcome);
            reader.awaitUntil(records -> records(records, releaseId).stream()
                    .anyMatch(r -> r.getDestination().equals("hook") && r.getStatus() == DeliveryStatus.DELIVERED)
                    && records(records, releaseId).stream().anyMatch(r -> r.getDestination().equals("slack")), Duration.ofSeconds(30),
                    "the webhook delivered after its failures");
            reader.poll(Duration.ofSeconds(1));
            List<NotificationRecord> hook = records(reader.seen(), releaseId).stream().filter(r -> r.getDestination().equals("hook")).toList();
            assertEquals(List.of(DeliveryStatus.RETRYING, DeliveryStatus.RETRYING, DeliveryStatus.RETRYING, DeliveryStatus.DELIVERED),
                    hook.stream().map(NotificationRecord::getStatus).toList(), "a record per attempt");
            assertEquals(List.of(1, 2, 3, 4), hook.stream().map(NotificationRecord::getAttempt).toList());
            assertEquals(1, records(reader.seen(), releaseId).stream().filter(r -> r.getDestination().equals("log")).count(),
                    "the duplicate outcome adds nothing");
        }
        List<Map<String, String>> hookRequests = RECEIVER.requests.stream()
                .filter(r -> r.get("path").equals("/hook") && r.get("body").contains(releaseId)).toList();
        assertEquals(4, hookRequests.size(), "three failures and one success");
        assertEquals(1, hookRequests.stream().map(r -> r.get("key")).distinct().count(), "one Idempotency-Key for every attempt");
        assertEquals(1, RECEIVER.applied.stream().filter(a -> a.equals("/hook" + hookRequests.get(0).get("key"))).count());
        for (Map<String, String> request : hookRequests) {
            assertTrue(WebhookSignature.verify(SECRET, Long.parseLong(request.get("timestamp")), request.get("body"), request.get("signature")),
                    "the receiver verifies the signature");
            assertTrue(!WebhookSignature.verify("wrong-secret", Long.parseLong(request.get("timestamp")), request.get("body"),
                    request.get("signature")));
        }
        JsonNode hookBody = new ObjectMapper().readTree(hookRequests.get(0).get("body"));
        assertEquals("ROLLED_BACK", hookBody.get("outcome").asText());
        assertEquals("1.2.0", hookBody.get("version").asText());

        Map<String, String> slack = RECEIVER.requests.stream().filter(r -> r.get("path").equals("/slack") && r.get("body").contains(releaseId))
                .findFirst().orElseThrow();
        JsonNode blocks = new ObjectMapper().readTree(slack.get("body")).get("blocks");
        assertEquals("header", blocks.get(0).get("type").asText());
        assertTrue(blocks.get(1).get("fields").toString().contains("*Outcome*\\nROLLED_BACK"), blocks.toString());
        assertTrue(blocks.get(2).get("text").get("text").asText().contains("error rate 5.00% exceeds 1.00% (250/5000) &lt;@channel&gt;"),
                "the failed metric with its numbers, and no mention smuggled in: " + blocks.get(2));
        assertTrue(blocks.get(3).toString().contains("http://planner.example/plans/" + releaseId + "/rollback-plan"));
    }

    @Test
    void aDeployedReleaseIsCommittedToTheChangelogOnceAndTeamsGetsACard() throws Exception {
        String releaseId = "note-" + UUID.randomUUID();
        String version = "1.3." + Math.abs(releaseId.hashCode() % 1000);
        DeploymentOutcome outcome = DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId)
                .setOccurredAt(Instant.now()).setDeploymentId(UUID.randomUUID().toString()).setService("checkout").setVersion(version)
                .setStrategy(Strategy.ROLLING).setOutcome(DeploymentResult.DEPLOYED).build();
        try (var reader = client.reader(List.of(Topics.NOTIFICATION_RECORDS))) {
            client.publish(outcome);
            reader.awaitUntil(records -> records(records, releaseId).stream().anyMatch(r -> r.getDestination().equals("changelog")
                    && r.getStatus() == DeliveryStatus.DELIVERED), Duration.ofSeconds(30), "the changelog delivery");
            client.publish(outcome);
            reader.poll(Duration.ofSeconds(2));
            assertEquals(1, records(reader.seen(), releaseId).stream().filter(r -> r.getDestination().equals("changelog")).count());
        }
        try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(REPOSITORY.toFile())) {
            List<org.eclipse.jgit.revwalk.RevCommit> commits = new java.util.ArrayList<>();
            git.log().call().forEach(commits::add);
            assertEquals(1, commits.stream().filter(c -> c.getFullMessage().equals("Changelog: checkout " + version)).count(), "one commit");
            String changelog = java.nio.file.Files.readString(REPOSITORY.resolve("CHANGELOG.md"));
            assertTrue(changelog.contains("## [" + version + "] - "), changelog);
            assertTrue(changelog.contains("- checkout " + version + " deployed to production by ROLLING (release " + releaseId + ")."), changelog);
            assertTrue(git.status().call().isClean(), "the entry is committed");
        }
        Map<String, String> teams = RECEIVER.requests.stream().filter(r -> r.get("path").equals("/teams") && r.get("body").contains(releaseId))
                .findFirst().orElseThrow();
        JsonNode card = new ObjectMapper().readTree(teams.get("body"));
        assertEquals("MessageCard", card.get("@type").asText());
        assertTrue(card.get("title").asText().contains("v" + version + " of checkout deployed to production"), card.toString());
        assertTrue(card.get("sections").get(0).get("facts").toString().contains("\"Outcome\",\"value\":\"DEPLOYED\"")
                || card.get("sections").get(0).get("facts").toString().contains("\"value\":\"DEPLOYED\""), card.toString());
    }

    private static List<NotificationRecord> records(List<ConsumerRecord<String, Object>> records, String releaseId) {
        return records.stream().map(ConsumerRecord::value).filter(NotificationRecord.class::isInstance).map(NotificationRecord.class::cast)
                .filter(r -> r.getReleaseId().equals(releaseId)).toList();
    }
}
