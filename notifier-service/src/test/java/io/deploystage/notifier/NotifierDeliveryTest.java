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
import io.deploystage.events.Environment;
import io.deploystage.events.NotificationRecord;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Strategy;
import io.deploystage.events.Topics;
import io.deploystage.notifier.domain.WebhookSignature;
import io.deploystage.stack.FreePorts;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.RealStackTest;
import io.deploystage.stack.SampleEvents;
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
    static final java.nio.file.Path REPOSITORY = repository(false);
    static final java.nio.file.Path REMOTE = repository(true);

    /** A fresh git repository; a bare one is reached over git's file:// transport, cloned from and pushed to. */
    static java.nio.file.Path repository(boolean bare) {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(bare ? "changelog-remote" : "changelog-repo");
            org.eclipse.jgit.api.Git.init().setBare(bare).setDirectory(dir.toFile()).setInitialBranch("main").call().close();
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
                    Map.entry("notifier.destinations.remotelog.kind", "changelog"),
                    Map.entry("notifier.destinations.remotelog.repository", REMOTE.toUri().toString()),
                    Map.entry("notifier.destinations.github.kind", "github"),
                    Map.entry("notifier.destinations.github.url", RECEIVER.url("/github")),
                    Map.entry("notifier.destinations.github.repository", "acme/checkout"),
                    Map.entry("notifier.destinations.github.token", "gh-test-token"),
                    Map.entry("notifier.destinations.github.repositories", "acme/payments"),
                    Map.entry("notifier.destinations.jira.kind", "jira"),
                    Map.entry("notifier.destinations.jira.url", RECEIVER.url("/jira")),
                    Map.entry("notifier.destinations.jira.user", "deploy-bot@acme.example"),
                    Map.entry("notifier.destinations.jira.token", "jira-test-token"),
                    Map.entry("notifier.destinations.jira.transition", "31"),
                    Map.entry("notifier.destinations.jira.project", "CHK"),
                    Map.entry("notifier.destinations.down.kind", "webhook"),
                    Map.entry("notifier.destinations.down.url", RECEIVER.url("/down")),
                    Map.entry("notifier.routes.\"*\"", "log,hook,slack,teams,changelog,remotelog,github,jira"),
                    Map.entry("notifier.routes.broken-svc", "log,down"),
                    Map.entry("notifier.destinations.metadata.kind", "webhook"),
                    Map.entry("notifier.destinations.metadata.url", "http://169.254.169.254/latest/meta-data/"),
                    Map.entry("notifier.routes.metadata-svc", "metadata"),
                    Map.entry("notifier.destinations.oncall.kind", "slack"),
                    Map.entry("notifier.destinations.oncall.url", RECEIVER.url("/oncall")),
                    Map.entry("notifier.on.rollback-ordered", "oncall"),
                    Map.entry("notifier.on.blocked", "oncall"),
                    Map.entry("notifier.destinations.pager.kind", "pagerduty"),
                    Map.entry("notifier.destinations.pager.url", RECEIVER.url("/pagerduty/v2/enqueue")),
                    Map.entry("notifier.destinations.pager.token", "R0UTING-KEY-secret"),
                    Map.entry("notifier.on.rollback-failed", "oncall,pager"),
                    Map.entry("notifier.breaker-threshold", "3"),
                    Map.entry("notifier.breaker-cooldown", "1s"),
                    Map.entry("notifier.plans-base-url", "http://planner.example"),
                    Map.entry("notifier.retry.base", "50ms"),
                    Map.entry("notifier.retry.max", "200ms"));
        }
    }

    /** An HTTP receiver that records requests, fails the first three on /hook of the retry test, and applies each Idempotency-Key once. */
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
                requests.add(Map.of("path", path, "body", body, "method", exchange.getRequestMethod(), "at", Long.toString(System.nanoTime()),
                        "auth", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")),
                        "key", String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key")),
                        "timestamp", String.valueOf(exchange.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER)),
                        "signature", String.valueOf(exchange.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER))));
                // the retry test's release ("retry-…") finds /hook failing three times, whichever tests ran before
                int status = path.equals("/down") ? 503
                        : path.equals("/hook") && body.contains("\"retry-") && hookCalls.incrementAndGet() <= 3 ? 503 : 200;
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
        String releaseId = "retry-" + UUID.randomUUID();
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
            reader.awaitUntil(records -> records(records, releaseId).stream().filter(r -> r.getDestination().endsWith("changelog")
                    || r.getDestination().equals("remotelog")).filter(r -> r.getStatus() == DeliveryStatus.DELIVERED).count() == 2,
                    Duration.ofSeconds(30), "the changelog deliveries, local and remote");
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
        try (org.eclipse.jgit.api.Git remote = org.eclipse.jgit.api.Git.open(REMOTE.toFile())) {
            List<String> messages = new java.util.ArrayList<>();
            remote.log().all().call().forEach(c -> messages.add(c.getFullMessage()));
            assertEquals(1, messages.stream().filter(m -> m.equals("Changelog: checkout " + version)).count(), "pushed once to the remote: " + messages);
        }
        Map<String, String> teams = RECEIVER.requests.stream().filter(r -> r.get("path").equals("/teams") && r.get("body").contains(releaseId))
                .findFirst().orElseThrow();
        JsonNode card = new ObjectMapper().readTree(teams.get("body"));
        // a Workflows webhook takes a message with one Adaptive Card attached (the MessageCard of the retired connectors is gone)
        assertEquals("message", card.get("type").asText(), card.toString());
        JsonNode attachment = card.get("attachments").get(0);
        assertEquals("application/vnd.microsoft.card.adaptive", attachment.get("contentType").asText());
        JsonNode adaptive = attachment.get("content");
        assertEquals("AdaptiveCard", adaptive.get("type").asText());
        assertEquals("1.4", adaptive.get("version").asText());
        assertTrue(adaptive.get("body").get(0).get("text").asText().contains("v" + version + " of checkout deployed to production"), card.toString());
        java.util.Map<String, String> facts = new java.util.HashMap<>();
        adaptive.get("body").get(1).get("facts").forEach(f -> facts.put(f.get("title").asText(), f.get("value").asText()));
        assertEquals("DEPLOYED", facts.get("Outcome"), card.toString());
        assertEquals(releaseId, facts.get("Release"), card.toString());
    }

    @Test
    void aDeployedReleaseClosesItsIssuesOnGitHubAndJiraAndIsPublishedAsAGitHubRelease() throws Exception {
        String releaseId = "track-" + UUID.randomUUID();
        String version = "1.5." + Math.abs(releaseId.hashCode() % 1000);
        ReleaseCandidate candidate = SampleEvents.releaseCandidate(releaseId, "checkout", version);
        // evil/elsewhere#3 and HR-4 are neither configured repository nor project: left alone
        candidate.setIssues(List.of("#12", "acme/payments#7", "evil/elsewhere#3", "CHK-12", "HR-4", "$(rm -rf /)"));
        client.publish(candidate);
        awaitRow("select count(*) from release_info where release_id = ?", releaseId);
        List<String> expected = List.of("POST /github/repos/acme/checkout/issues/12/comments", "PATCH /github/repos/acme/checkout/issues/12",
                "POST /github/repos/acme/payments/issues/7/comments", "PATCH /github/repos/acme/payments/issues/7",
                "POST /github/repos/acme/checkout/releases", "POST /jira/rest/api/2/issue/CHK-12/comment",
                "POST /jira/rest/api/2/issue/CHK-12/transitions");
        try (var reader = client.reader(List.of(Topics.NOTIFICATION_RECORDS))) {
            client.publish(DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(Instant.now())
                    .setDeploymentId(UUID.randomUUID().toString()).setService("checkout").setVersion(version).setStrategy(Strategy.CANARY)
                    .setOutcome(DeploymentResult.DEPLOYED).build());
            reader.awaitUntil(records -> records(records, releaseId).stream().filter(r -> r.getDestination().equals("github")
                    || r.getDestination().equals("jira")).filter(r -> r.getStatus() == DeliveryStatus.DELIVERED).count() == expected.size(),
                    Duration.ofSeconds(30), "every tracker request delivered");
        }
        List<Map<String, String>> calls = trackerCalls(releaseId, version);
        assertEquals(new java.util.TreeSet<>(expected), new java.util.TreeSet<>(calls.stream().map(c -> c.get("method") + " " + c.get("path")).toList()),
                "one request each, nothing for the hostile reference");
        assertEquals(expected.size(), calls.size());
        for (Map<String, String> call : calls) {
            assertEquals(call.get("path").startsWith("/github") ? "Bearer gh-test-token"
                    : "Basic " + java.util.Base64.getEncoder().encodeToString("deploy-bot@acme.example:jira-test-token".getBytes(StandardCharsets.UTF_8)),
                    call.get("auth"));
        }
        JsonNode release = new ObjectMapper().readTree(calls.stream().filter(c -> c.get("path").endsWith("/releases")).findFirst().orElseThrow()
                .get("body"));
        assertEquals("v" + version, release.get("tag_name").asText());
        assertTrue(release.get("body").asText().contains("## [" + version + "]"), "the changelog entry: " + release);
        JsonNode close = new ObjectMapper().readTree(calls.stream().filter(c -> c.get("method").equals("PATCH")).findFirst().orElseThrow().get("body"));
        assertEquals("closed", close.get("state").asText());
        JsonNode transition = new ObjectMapper().readTree(calls.stream().filter(c -> c.get("path").endsWith("/transitions")).findFirst()
                .orElseThrow().get("body"));
        assertEquals("31", transition.get("transition").get("id").asText());
    }

    /** The tracker requests of one release: issue calls carry the release id in their comment, the release its version. */
    private static List<Map<String, String>> trackerCalls(String releaseId, String version) {
        return RECEIVER.requests.stream().filter(r -> (r.get("path").startsWith("/github") || r.get("path").startsWith("/jira"))
                && (r.get("body").contains(releaseId) || r.get("body").contains("\"v" + version + "\"")
                        || r.get("method").equals("PATCH") && RECEIVER.requests.stream().anyMatch(c -> c.get("body").contains(releaseId)
                                && c.get("path").equals(r.get("path") + "/comments"))
                        || r.get("path").endsWith("/transitions") && RECEIVER.requests.stream().anyMatch(c -> c.get("body").contains(releaseId)
                                && c.get("path").equals(r.get("path").replace("/transitions", "/comment")))))
                .toList();
    }

    @Test
    void rollbacksAndBlockedReleasesAlsoGoToTheOnCallChannelAndNothingElseDoes() throws Exception {
        String rolledBack = "oncall-" + UUID.randomUUID();
        String deployed = "quiet-" + UUID.randomUUID();
        try (var reader = client.reader(List.of(Topics.NOTIFICATION_RECORDS))) {
            client.publish(io.deploystage.events.RollbackCommand.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(rolledBack)
                    .setOccurredAt(Instant.now()).setDeploymentId(UUID.randomUUID().toString()).setRequestedBy("monitor-service")
                    .setReason("error rate 7.10% exceeds 5%").build());
            client.publish(DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(deployed).setOccurredAt(Instant.now())
                    .setDeploymentId(UUID.randomUUID().toString()).setService("checkout").setVersion("1.7.0").setStrategy(Strategy.CANARY)
                    .setOutcome(DeploymentResult.DEPLOYED).build());
            reader.awaitUntil(records -> records(records, rolledBack).stream().anyMatch(r -> r.getDestination().equals("oncall")
                    && r.getStatus() == DeliveryStatus.DELIVERED) && records(records, deployed).stream().anyMatch(r -> r.getDestination().equals("slack")),
                    Duration.ofSeconds(30), "the on-call message");
            reader.poll(Duration.ofSeconds(1));
            assertTrue(records(reader.seen(), deployed).stream().noneMatch(r -> r.getDestination().equals("oncall")), "a deploy is not on-call news");
        }
        assertTrue(RECEIVER.requests.stream().anyMatch(r -> r.get("path").equals("/oncall") && r.get("body").contains("error rate 7.10% exceeds 5%")));
    }

    private static io.deploystage.events.StepEvent.Builder interrupted(String releaseId, String stepId, String reason) {
        return io.deploystage.events.StepEvent.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(Instant.now())
                .setDeploymentId(UUID.randomUUID().toString()).setStepId(stepId).setEnvironment(io.deploystage.events.Environment.PRODUCTION)
                .setStatus(io.deploystage.events.StepStatus.INTERRUPTED).setAction("Return prod-1 to the previous version").setDetail(reason);
    }

    @Test
    void aRollbackStepInterruptedAndNotSafeToRerunPagesTheContactAndAForwardOneDoesNot() throws Exception {
        String stalled = "stall-" + UUID.randomUUID();
        String forward = "fwd-" + UUID.randomUUID();
        client.publish(SampleEvents.releaseCandidate(stalled, "checkout", "1.3.0"));
        client.publish(SampleEvents.releaseCandidate(forward, "checkout", "1.3.1"));
        awaitRow("select count(*) from release_info where release_id = ?", stalled);
        awaitRow("select count(*) from release_info where release_id = ?", forward);
        String reason = "step rollback-prod-1 was interrupted (the executor stopped while it ran) and is not declared safe to re-run";
        io.deploystage.events.StepEvent rollbackStep = interrupted(stalled, "rollback-prod-1", reason).setRollback(true)
                .setEscalationContact("dana (team lead)").build();
        io.deploystage.events.StepEvent forwardStep = interrupted(forward, "staging-migrate", reason).build();
        try (var reader = client.reader(List.of(Topics.NOTIFICATION_RECORDS))) {
            client.publish(forwardStep);
            client.publish(rollbackStep);
            reader.awaitUntil(records -> records(records, stalled).stream().anyMatch(r -> r.getDestination().equals("pager")
                    && r.getStatus() == DeliveryStatus.DELIVERED), Duration.ofSeconds(30), "the page delivered");
            reader.poll(Duration.ofSeconds(2));
            assertTrue(records(reader.seen(), forward).isEmpty(), "a forward step that waits for an operator pages nobody");
            assertTrue(records(reader.seen(), stalled).stream().anyMatch(r -> r.getDestination().equals("oncall")), "and the on-call channel hears it");
        }
        List<Map<String, String>> pages = RECEIVER.requests.stream().filter(r -> r.get("path").equals("/pagerduty/v2/enqueue")
                && r.get("body").contains(stalled)).toList();
        assertEquals(1, pages.size());
        JsonNode page = new ObjectMapper().readTree(pages.get(0).get("body"));
        assertEquals("critical", page.get("payload").get("severity").asText());
        assertEquals(rollbackStep.getEventId().toString(), page.get("dedup_key").asText());
        assertEquals("ROLLBACK STALLED: the rollback of v1.3.0 of checkout stopped at step rollback-prod-1 (interrupted, not safe to re-run);"
                + " production may run either version. Paging dana (team lead): a human must decide (resume, abort or roll back).",
                page.get("payload").get("summary").asText());
        assertTrue(page.get("payload").get("custom_details").get("reason").asText().contains("not declared safe to re-run"), page.toString());
    }

    @Test
    void aFailedRollbackPagesTheEscalationContactThroughPagerDutyAndOnlyItDoes() throws Exception {
        String failed = "page-" + UUID.randomUUID();
        String rolledBack = "nopage-" + UUID.randomUUID();
        DeploymentOutcome outcome = DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(failed).setOccurredAt(Instant.now())
                .setDeploymentId(UUID.randomUUID().toString()).setService("checkout").setVersion("1.2.0").setStrategy(Strategy.CANARY)
                .setOutcome(DeploymentResult.FAILED).setReason("rollback production step rollback-prod-1 failed: exit 1; a human must take over")
                .setRollbackFailed(true).setEscalationContact("dana (team lead)").build();
        DeploymentOutcome ordinary = DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(rolledBack).setOccurredAt(Instant.now())
                .setDeploymentId(UUID.randomUUID().toString()).setService("checkout").setVersion("1.2.0").setStrategy(Strategy.CANARY)
                .setOutcome(DeploymentResult.ROLLED_BACK).setReason("error rate 7% exceeds 5%").setEscalationContact("dana (team lead)").build();
        try (var reader = client.reader(List.of(Topics.NOTIFICATION_RECORDS))) {
            client.publish(outcome);
            client.publish(ordinary);
            reader.awaitUntil(records -> records(records, failed).stream().anyMatch(r -> r.getDestination().equals("pager")
                    && r.getStatus() == DeliveryStatus.DELIVERED) && records(records, rolledBack).stream().anyMatch(r -> r.getDestination().equals("slack")),
                    Duration.ofSeconds(30), "the page delivered");
            reader.poll(Duration.ofSeconds(1));
            assertTrue(records(reader.seen(), rolledBack).stream().noneMatch(r -> r.getDestination().equals("pager")), "a rollback that worked pages nobody");
            assertTrue(records(reader.seen(), failed).stream().anyMatch(r -> r.getDestination().equals("oncall")), "and the on-call channel hears it");
            assertTrue(records(reader.seen(), failed).stream().noneMatch(r -> r.toString().contains("R0UTING-KEY-secret")), "the key is in no record");
        }
        List<Map<String, String>> pages = RECEIVER.requests.stream().filter(r -> r.get("path").equals("/pagerduty/v2/enqueue")
                && r.get("body").contains(failed)).toList();
        assertEquals(1, pages.size());
        JsonNode page = new ObjectMapper().readTree(pages.get(0).get("body"));
        assertEquals("R0UTING-KEY-secret", page.get("routing_key").asText());
        assertEquals("trigger", page.get("event_action").asText());
        assertEquals(outcome.getEventId().toString(), page.get("dedup_key").asText(), "a re-send is the same incident");
        assertEquals("critical", page.get("payload").get("severity").asText());
        assertEquals("ROLLBACK FAILED: v1.2.0 of checkout may still be running in production. Paging dana (team lead): a human must take over.",
                page.get("payload").get("summary").asText());
        assertTrue(page.get("payload").get("custom_details").get("reason").asText().contains("rollback-prod-1 failed"), page.toString());
    }

    @Test
    void aDestinationAtAMetadataAddressIsRefusedAtOnceAndDeadLetteredWithTheReason() throws Exception {
        String releaseId = "meta-" + UUID.randomUUID();
        DeploymentOutcome outcome = DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(Instant.now())
                .setDeploymentId(UUID.randomUUID().toString()).setService("metadata-svc").setVersion("1.0.0").setStrategy(Strategy.ROLLING)
                .setOutcome(DeploymentResult.DEPLOYED).build();
        try (var reader = client.reader(List.of(Topics.NOTIFICATION_RECORDS)); var dead = client.rawReader(List.of("notification-records.dlq"))) {
            client.publish(outcome);
            reader.awaitUntil(records -> records(records, releaseId).stream().anyMatch(r -> r.getStatus() == DeliveryStatus.FAILED),
                    Duration.ofSeconds(30), "the refused delivery");
            List<NotificationRecord> mine = records(reader.seen(), releaseId);
            assertEquals(List.of(DeliveryStatus.FAILED), mine.stream().map(NotificationRecord::getStatus).toList(), "no retry of a refusal");
            var letter = dead.awaitUntil(seen -> seen.stream().anyMatch(r -> releaseId.equals(r.key())), Duration.ofSeconds(30), "the dead letter")
                    .stream().filter(r -> releaseId.equals(r.key())).findFirst().orElseThrow();
            String reason = new String(letter.headers().lastHeader("dlq-reason").value(), StandardCharsets.UTF_8);
            assertTrue(reason.contains("169.254.169.254 is in the denied range 169.254.0.0/16"), reason);
        }
    }

    @Test
    void aFlagAtOneHundredPercentOpensACleanupTicketInEachTracker() throws Exception {
        String releaseId = "flag-" + UUID.randomUUID();
        String flag = "flow-" + UUID.randomUUID().toString().substring(0, 6);
        client.publish(SampleEvents.releaseCandidate(releaseId, "checkout", "1.6.0"));
        awaitRow("select count(*) from release_info where release_id = ?", releaseId);
        StepEvent step = StepEvent.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(Instant.now())
                .setDeploymentId(UUID.randomUUID().toString()).setStepId("flag-" + flag + "-100").setEnvironment(Environment.PRODUCTION)
                .setStatus(StepStatus.SUCCEEDED).setAction("Enable " + flag + " for 100% of users").build();
        try (var reader = client.reader(List.of(Topics.NOTIFICATION_RECORDS))) {
            client.publish(step);
            client.publish(step);
            // once both tracker deliveries are final, what the receiver has is all it will get: the repeated event adds none
            reader.awaitUntil(records -> records(records, releaseId).stream().filter(r -> r.getStatus() == DeliveryStatus.DELIVERED)
                    .map(NotificationRecord::getDestination).distinct().count() == 2, Duration.ofSeconds(30), "both cleanup tickets delivered");
        }
        assertEquals(List.of("POST /github/repos/acme/checkout/issues", "POST /jira/rest/api/2/issue"),
                cleanups(flag).stream().map(c -> c.get("method") + " " + c.get("path")).sorted().toList(), "one ticket per tracker");
        assertTrue(cleanups(flag).stream().allMatch(c -> c.get("body").contains("Remove feature flag " + flag + " from checkout")));
    }

    private static List<Map<String, String>> cleanups(String flag) {
        return RECEIVER.requests.stream().filter(r -> r.get("body").contains("Remove feature flag " + flag)).toList();
    }

    @Test
    void aFailingDestinationTripsItsBreakerAndWhatStaysUndeliverableIsDeadLetteredWithTheReason() throws Exception {
        String releaseId = "down-" + UUID.randomUUID();
        try (var reader = client.reader(List.of(Topics.NOTIFICATION_RECORDS)); var dead = client.rawReader(List.of("notification-records.dlq"))) {
            client.publish(DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(Instant.now())
                    .setDeploymentId(UUID.randomUUID().toString()).setService("broken-svc").setVersion("0.9.0").setStrategy(Strategy.DIRECT)
                    .setOutcome(DeploymentResult.DEPLOYED).build());
            reader.awaitUntil(records -> records(records, releaseId).stream().anyMatch(r -> r.getDestination().equals("down")
                    && r.getStatus() == DeliveryStatus.FAILED), Duration.ofSeconds(60), "the delivery to FAIL after its budget");
            List<Long> at = RECEIVER.requests.stream().filter(r -> r.get("path").equals("/down") && r.get("body").contains(releaseId))
                    .map(r -> Long.parseLong(r.get("at"))).toList();
            assertEquals(6, at.size(), "the whole retry budget, and no more");
            assertTrue(at.get(3) - at.get(2) >= Duration.ofMillis(900).toNanos(), "after 3 failures in a row the breaker holds sends for its"
                    + " cooldown: " + (at.get(3) - at.get(2)) / 1_000_000 + " ms");
            var letter = dead.awaitUntil(seen -> seen.stream().anyMatch(r -> releaseId.equals(r.key())), Duration.ofSeconds(30), "the dead letter")
                    .stream().filter(r -> releaseId.equals(r.key())).findFirst().orElseThrow();
            String reason = new String(letter.headers().lastHeader("dlq-reason").value(), StandardCharsets.UTF_8);
            assertTrue(reason.startsWith("undeliverable to down after 6 attempts: HTTP 503"), reason);
            assertTrue(new String((byte[]) letter.value(), StandardCharsets.UTF_8).contains(releaseId), "the notification itself is kept");
        }
    }

    private static void awaitRow(String sql, String releaseId) {
        var stack = LocalStackResource.stack();
        io.deploystage.stack.Await.until(Duration.ofSeconds(30), "a row for " + releaseId + ": " + sql, () -> {
            try (var connection = java.sql.DriverManager.getConnection(stack.postgres().jdbcUrl("notifier"), stack.postgres().user(),
                    stack.postgres().password()); var query = connection.prepareStatement(sql)) {
                query.setString(1, releaseId);
                try (var rows = query.executeQuery()) {
                    return rows.next() && rows.getLong(1) > 0;
                }
            }
        });
    }

    private static List<NotificationRecord> records(List<ConsumerRecord<String, Object>> records, String releaseId) {
        return records.stream().map(ConsumerRecord::value).filter(NotificationRecord.class::isInstance).map(NotificationRecord.class::cast)
                .filter(r -> r.getReleaseId().equals(releaseId)).toList();
    }
}
