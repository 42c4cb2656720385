package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.parallel.Isolated;

import io.deploystage.events.Cohort;
import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.Environment;
import io.deploystage.events.EventEnvelope;
import io.deploystage.events.GateDecision;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.MetricSample;
import io.deploystage.events.NotificationRecord;
import io.deploystage.events.Topics;
import io.deploystage.stack.SampleEvents;
import io.deploystage.stack.ServiceProcess;

/**
 * kill -9 a service after it consumed an event and committed its effects, before it emitted anything; after a
 * restart the flow completes with exactly one outgoing event: nothing lost, nothing duplicated.
 */
@Isolated
class CrashRecoveryTest {

    /** The service this class releases: the sample installed under its own name. */
    static final String SERVICE = "crash-checkout";

    static List<Arguments> services() {
        return List.of(
                Arguments.of("gate-service", GateDecision.class),
                Arguments.of("planner-service", DeploymentPlan.class),
                Arguments.of("executor-service", DeploymentOutcome.class),
                Arguments.of("monitor-service", HealthVerdict.class),
                Arguments.of("notifier-service", NotificationRecord.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("services")
    void killedBetweenConsumeAndEmitThenRestartedEmitsExactlyOnce(String name, Class<? extends SpecificRecordBase> output) throws Exception {
        RunningSystem system = RunningSystem.get();
        system.sample(SERVICE);
        ServiceProcess service = system.service(name);
        // the service under test keeps this release's events in its outbox (RunningSystem arms it) until it is restarted without it
        String releaseId = RunningSystem.heldBy(name) + UUID.randomUUID();
        try (var reader = system.client.reader(List.of(Topics.of(output), Topics.DEPLOYMENT_PLANS))) {
            trigger(system, name, releaseId);

            awaitPendingOutbox(system, name, releaseId);
            service.kill9();
            service.start(RunningSystem.UNHELD); // this instance publishes what the killed one left in the outbox

            List<ConsumerRecord<String, Object>> seen = reader.awaitUntil(
                    records -> Trail.of(records, releaseId, output).stream().anyMatch(CrashRecoveryTest::isFinal), Duration.ofSeconds(60),
                    output.getSimpleName());
            // all the restarted instance held is published (its outbox keeps nothing of the release) and read: a duplicate
            // would be on the topic by now
            io.deploystage.stack.Await.until(Duration.ofSeconds(60), name + " publishing what it held", () -> system.unpublished(name, releaseId) == 0);
            reader.readToEnd(Duration.ofSeconds(30));
            List<? extends SpecificRecordBase> emitted = Trail.of(reader.seen(), releaseId, output);
            long distinct = emitted.stream().map(EventEnvelope::eventId).distinct().count();
            assertEquals(distinct, emitted.size(), "no event published twice: " + emitted);
            if (output == GateDecision.class) {
                assertEquals(1, emitted.stream().filter(e -> ((GateDecision) e).getOutcome().name().equals("CLEARED")).count());
            } else if (output == HealthVerdict.class) {
                List<String> checks = emitted.stream().map(e -> ((HealthVerdict) e).getCheck()).toList();
                assertEquals(checks.stream().distinct().count(), checks.size(), "one verdict per check: " + checks);
            } else {
                assertEquals(1, emitted.size(), "exactly one " + output.getSimpleName() + " " + seen.size());
            }
        }
    }

    /** The gate announces WAITING before CLEARED; every other service emits its event once. */
    private static boolean isFinal(SpecificRecordBase event) {
        return !(event instanceof GateDecision decision) || decision.getOutcome().name().equals("CLEARED");
    }

    /** Sends what makes the service under test consume an event; the monitor needs a metric sample after the plan. */
    private static void trigger(RunningSystem system, String name, String releaseId) {
        // a backend change, deployed rolling: the executor's and the notifier's outputs come at the deployment's end
        system.client.publish(SampleEvents.backendReleaseCandidate(releaseId, SERVICE, "2.0.0"));
        SampleEvents.passingGates(releaseId).forEach(system.client::publish);
        if (name.equals("monitor-service")) {
            awaitQuery(system, name, "select count(*) from watched_deployment where release_id = ?", releaseId);
            Instant now = Instant.now();
            system.client.publish(MetricSample.newBuilder()
                    .setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(now)
                    .setService(SERVICE).setEnvironment(Environment.PRODUCTION).setVersion("2.0.0").setCohort(Cohort.CANARY)
                    .setWindowStart(now.minusSeconds(60)).setWindowEnd(now).setRequestCount(100).setErrorCount(1)
                    .build());
        }
    }

    private static void awaitPendingOutbox(RunningSystem system, String name, String releaseId) {
        awaitQuery(system, name, "select count(*) from outbox where message_key = ?", releaseId);
    }

    /** Waits until the count the query reads from the service's database, given the release id, is above zero. */
    private static void awaitQuery(RunningSystem system, String name, String sql, String releaseId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection connection = system.database(name); PreparedStatement query = connection.prepareStatement(sql)) {
                query.setString(1, releaseId);
                try (ResultSet rows = query.executeQuery()) {
                    if (rows.next() && rows.getLong(1) > 0) {
                        return;
                    }
                }
            } catch (SQLException notYet) {
                // the table may not exist before the service's first start
            }
            io.deploystage.stack.LocalStack.pause(200);
        }
        throw new AssertionError(name + ": not within 60 s for " + releaseId + ": " + sql);
    }
}
