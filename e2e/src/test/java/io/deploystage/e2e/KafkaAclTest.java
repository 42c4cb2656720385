package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import io.deploystage.events.Topics;
import io.deploystage.stack.EventClient;
import io.deploystage.stack.KafkaAccess;
import io.deploystage.stack.SampleEvents;
import io.deploystage.stack.ServiceProcess;

/**
 * The broker's ACLs, on the running system's real broker: every principal is refused on every topic it does not
 * emit (CI on the decisions, plans and operator commands; each service on the others' outputs; watch everywhere);
 * CI publishes its candidates and watch reads them; a wrong password does not get in. And the rules agree with what
 * each service consumes.
 */
class KafkaAclTest {

    private static final byte[] NOT_AN_EVENT = "acl probe".getBytes(StandardCharsets.UTF_8);

    @Test
    void everyPrincipalIsRefusedOnEveryTopicItDoesNotEmit() {
        RunningSystem system = RunningSystem.get();
        List<String> refused = new ArrayList<>();
        for (KafkaAccess.Principal principal : KafkaAccess.principals()) {
            try (EventClient client = EventClient.as(system.stack, principal.name())) {
                for (String topic : everyTopic()) {
                    if (principal.writable().contains(topic)) {
                        continue;
                    }
                    String key = "acl-" + UUID.randomUUID();
                    IllegalStateException failure = assertThrows(IllegalStateException.class, () -> client.publishRaw(topic, key, NOT_AN_EVENT),
                            principal.name() + " must not write " + topic);
                    // refused on the topic, or (a principal that may write nowhere) refused an idempotent producer id at all
                    assertInstanceOf(AuthorizationException.class, failure.getCause(), principal.name() + " on " + topic);
                    refused.add(principal.name() + "→" + topic);
                }
            }
        }
        assertTrue(refused.containsAll(List.of("ci→gate-decisions", "ci→deployment-plans", "ci→operator-commands",
                "gate-service→deployment-plans", "planner-service→step-events", "executor-service→rollback-commands",
                "monitor-service→deployment-outcomes", "notifier-service→operator-commands", "watch→release-candidates",
                "watch→release-candidates.dlq", "ci→gate-results.dlq", "gate-service→step-events.dlq", "console-service→operator-commands",
                "console-service→release-candidates")), refused.toString());
        // 8 principals × 22 topics (11 and their dead letters), less the 33 (principal, topic) pairs the rules allow:
        // 13 outputs, 19 dead-letter topics of the services' inputs, and the notifier's undeliverable notifications
        assertEquals(8 * 22 - 33, refused.size(), refused.toString());
    }

    private static List<String> everyTopic() {
        List<String> topics = new ArrayList<>(Topics.all());
        Topics.all().stream().map(Topics::deadLetterOf).forEach(topics::add);
        return topics;
    }

    @Test
    void ciPublishesItsCandidatesWatchReadsThemAndCiReadsNothing() {
        RunningSystem system = RunningSystem.get();
        String releaseId = "acl-" + UUID.randomUUID();
        try (EventClient ci = EventClient.as(system.stack, "ci"); EventClient watch = EventClient.as(system.stack, "watch")) {
            ci.publish(SampleEvents.releaseCandidate(releaseId, "acl-checkout", "9.9.9"));
            try (var reader = watch.reader(List.of(Topics.RELEASE_CANDIDATES))) {
                reader.awaitUntil(seen -> seen.stream().anyMatch(r -> releaseId.equals(r.key())), Duration.ofSeconds(30), "the candidate, read by watch");
            }
            try (var reader = ci.reader(List.of(Topics.RELEASE_CANDIDATES))) {
                RuntimeException refused = assertThrows(RuntimeException.class, () -> reader.poll(Duration.ofSeconds(10)));
                assertTrue(refused instanceof GroupAuthorizationException || refused instanceof TopicAuthorizationException, refused.toString());
            }
        }
    }

    @Test
    void aWrongPasswordAndNoLoginAreRefused() throws Exception {
        RunningSystem system = RunningSystem.get();
        Map<String, Object> wrong = new LinkedHashMap<>(KafkaAccess.clientConfig("gate-service", "not-its-password"));
        wrong.put("bootstrap.servers", system.stack.kafkaBootstrapServers());
        try (Admin admin = Admin.create(wrong)) {
            Exception failure = assertThrows(Exception.class, () -> admin.describeCluster().clusterId().get());
            assertInstanceOf(SaslAuthenticationException.class, failure.getCause(), failure.toString());
        }
        Map<String, Object> none = Map.of("bootstrap.servers", system.stack.kafkaBootstrapServers(), "default.api.timeout.ms", 5000,
                "request.timeout.ms", 3000);
        try (Admin admin = Admin.create(none)) {
            assertThrows(Exception.class, () -> admin.listTopics().names().get(), "a client without a login gets no answer");
        }
    }

    /** kafka-access.conf gives each service exactly the topics its application.properties consumes. */
    @Test
    void theRulesReadWhatEachServiceConsumes() throws IOException {
        for (String service : ServiceProcess.SERVICES) {
            Properties properties = new Properties();
            try (Reader in = Files.newBufferedReader(ServiceProcess.projectRoot().resolve(service).resolve("src/main/resources/application.properties"))) {
                properties.load(in);
            }
            Set<String> consumed = new TreeSet<>();
            properties.stringPropertyNames().stream()
                    .filter(k -> k.startsWith("mp.messaging.incoming.") && k.endsWith(".topic"))
                    .forEach(k -> consumed.add(properties.getProperty(k)));
            assertEquals(consumed, new TreeSet<>(KafkaAccess.principal(service).reads()), service);
            assertEquals(service, KafkaAccess.principal(service).groupPrefix(), "its consumer groups are named after the application");
        }
        // the console reads the topics it shows (console.topics), nothing more
        Properties console = new Properties();
        try (Reader in = Files.newBufferedReader(ServiceProcess.projectRoot().resolve("console-service/src/main/resources/application.properties"))) {
            console.load(in);
        }
        assertEquals(new TreeSet<>(List.of(console.getProperty("console.topics").split(","))),
                new TreeSet<>(KafkaAccess.principal("console-service").reads()), "console-service");
        assertEquals(List.of(), KafkaAccess.principal("console-service").writable(), "the console writes nothing");
    }
}
