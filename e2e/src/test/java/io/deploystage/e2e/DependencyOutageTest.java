package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

import io.deploystage.events.Cohort;
import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.RollbackCommand;
import io.deploystage.events.Topics;
import io.deploystage.stack.Await;
import io.deploystage.stack.LocalStack;
import io.deploystage.stack.ServiceProcess;
import io.deploystage.stack.TcpProxy;

/**
 * Outages of what a service stands on lose nothing and park nothing: the monitor reaches PostgreSQL and the registry
 * through relays this test cuts (connections reset, new ones refused, as when the server goes down; the servers keep
 * their data). Events published during an outage longer than the old 30 s give-up wait, the service says it is not
 * ready and why, no valid record reaches a dead-letter topic, and when the dependency is back every event is handled:
 * the breach published during the PostgreSQL outage still orders its rollback.
 */
@Isolated
class DependencyOutageTest {

    static RunningSystem system;
    static ServiceProcess monitor;
    /** The monitor's relays to PostgreSQL and to the registry (RunningSystem routes every service through its own). */
    static TcpProxy database;
    static TcpProxy registry;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        system = RunningSystem.get();
        monitor = system.service("monitor-service");
        database = system.databaseRelay("monitor-service");
        registry = system.registryRelay("monitor-service");
    }

    @AfterAll
    static void stop() {
        database.restore();
        registry.restore();
    }

    @Test
    void aPostgresOutageLongerThanTheOldGiveUpParksNothingAndTheBreachStillRollsBack() throws Exception {
        String releaseId = "outage-db-" + UUID.randomUUID();
        try (var reader = system.client.reader(List.of(Topics.ROLLBACK_COMMANDS));
                var dead = system.client.rawReader(List.of(Topics.deadLetterOf(Topics.METRIC_SAMPLES),
                        Topics.deadLetterOf(Topics.DEPLOYMENT_PLANS)))) {
            system.client.publish(MonitorRestartTest.plan(releaseId));
            system.client.publish(MonitorRestartTest.sample(releaseId, Cohort.BASELINE, 10_000, 0));
            Await.until(Duration.ofSeconds(60), "the plan and the baseline handled", () -> processed(releaseId), n -> n >= 2);

            database.cut();
            Instant cut = Instant.now();
            system.client.publish(MonitorRestartTest.sample(releaseId, Cohort.CANARY, 200, 40)); // 20% errors: a breach
            // longer than the ~30 s after which the inbox used to dead-letter a record whose handler kept failing
            Await.until(Duration.ofSeconds(30), "readiness DOWN, waiting for PostgreSQL", DependencyOutageTest::readiness,
                    r -> r.contains("\"status\": \"DOWN\"") && r.contains("PostgreSQL"));
            LocalStack.pause(Math.max(0, 40_000 - Duration.between(cut, Instant.now()).toMillis()));
            assertTrue(rollbacks(reader.poll(Duration.ofMillis(500)), releaseId).isEmpty(), "nothing can be decided without the database");

            database.restore();
            List<ConsumerRecord<String, Object>> seen = reader.awaitUntil(r -> !rollbacks(r, releaseId).isEmpty(), Duration.ofSeconds(60),
                    "the breach sent during the outage orders the rollback once PostgreSQL is back");
            assertTrue(rollbacks(seen, releaseId).get(0).getReason().contains("40/200"), rollbacks(seen, releaseId).get(0).getReason());
            Await.until(Duration.ofSeconds(30), "readiness UP again", DependencyOutageTest::readiness, r -> r.contains("\"status\": \"UP\""));
            assertEquals(List.of(), byMonitor(dead.poll(Duration.ofSeconds(2)), releaseId),
                    "the monitor dead-lettered no record of the release (the executor refuses the test's plan without steps: that is not the monitor)");
        }
    }

    @Test
    void aRegistryOutageMakesTheConsumerWaitForTheSchemaNotDeadLetterTheRecord() throws Exception {
        String releaseId = "outage-registry-" + UUID.randomUUID();
        io.deploystage.events.DeploymentPlan plan = MonitorRestartTest.plan(releaseId);
        system.client.publish(plan);
        Await.until(Duration.ofSeconds(60), "the plan handled", () -> processed(releaseId), n -> n >= 1);
        // a fresh monitor has read no DeploymentOutcome yet: reading one needs its schema from the registry
        monitor.kill9();
        registry.cut();
        monitor.startLive(Map.of());
        try (var dead = system.client.rawReader(List.of(Topics.deadLetterOf(Topics.DEPLOYMENT_OUTCOMES)))) {
            DeploymentOutcome outcome = DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId)
                    .setOccurredAt(Instant.now()).setCausationId(null).setDeploymentId(plan.getEventId().toString())
                    .setService(MonitorRestartTest.SERVICE).setVersion("2.0.0").setStrategy(io.deploystage.events.Strategy.CANARY)
                    .setOutcome(DeploymentResult.DEPLOYED).setReason("test").build();
            system.client.publish(outcome);
            Await.until(Duration.ofSeconds(30), "readiness DOWN, waiting for the registry", DependencyOutageTest::readiness,
                    r -> r.contains("\"status\": \"DOWN\"") && r.contains("Apicurio Registry"));
            LocalStack.pause(10_000);
            assertEquals(1, processed(releaseId), "the outcome waits: only the plan is processed");

            registry.restore();
            Await.until(Duration.ofSeconds(60), "the outcome handled once the registry is back",
                    () -> system.processed("monitor-service", outcome.getEventId()),
                    found -> found);
            assertEquals(List.of(), byMonitor(dead.poll(Duration.ofSeconds(2)), releaseId), "the outcome was not dead-lettered");
        } finally {
            registry.restore();
            Await.until(Duration.ofSeconds(60), "readiness UP again", DependencyOutageTest::readiness, r -> r.contains("\"status\": \"UP\""));
        }
    }

    /** The dead letters of the release that the monitor wrote (each says which consumer wrote it). */
    private static List<ConsumerRecord<String, Object>> byMonitor(List<ConsumerRecord<String, Object>> dead, String releaseId) {
        return dead.stream().filter(r -> releaseId.equals(r.key())).filter(r -> {
            var consumer = r.headers().lastHeader("dlq-consumer");
            return consumer != null && new String(consumer.value(), java.nio.charset.StandardCharsets.UTF_8).equals("monitor-service");
        }).toList();
    }

    private static String readiness() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(monitor.baseUrl() + "/q/health/ready")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static List<RollbackCommand> rollbacks(List<ConsumerRecord<String, Object>> records, String releaseId) {
        return records.stream().map(ConsumerRecord::value).filter(RollbackCommand.class::isInstance).map(RollbackCommand.class::cast)
                .filter(c -> c.getReleaseId().equals(releaseId)).toList();
    }

    /** Events of the release the monitor recorded as processed (its plan and its samples), read straight from its database. */
    private static long processed(String releaseId) throws SQLException {
        try (Connection db = system.database("monitor-service");
                PreparedStatement query = db.prepareStatement(
                        "select (select count(*) from watched_deployment where release_id = ?) + (select coalesce(sum(samples), 0) from cohort_window "
                                + "where release_id = ?)")) {
            query.setString(1, releaseId);
            query.setString(2, releaseId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

}
