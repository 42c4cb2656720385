package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

import io.deploystage.events.Cohort;
import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.Environment;
import io.deploystage.events.EventEnvelope;
import io.deploystage.events.GateDecision;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.MetricSample;
import io.deploystage.events.NotificationRecord;
import io.deploystage.events.PlanStep;
import io.deploystage.events.StepKind;
import io.deploystage.events.Strategy;
import io.deploystage.events.Topics;
import io.deploystage.stack.SampleEvents;
import io.deploystage.stack.ServiceProcess;

/**
 * kill -9 of every service after it consumed an event and committed its effects, before it emitted anything; after a
 * restart each flow completes with exactly one outgoing event: nothing lost, nothing duplicated. The five services are
 * killed together and restarted side by side (one restart, not five): each holds a release of its own, of a service of
 * its own, so the five flows do not wait for each other.
 */
@Isolated
class CrashRecoveryTest {

    /** The service each service under test gets a release of: "crash-" + its name (the sample, for the gate, planner and monitor). */
    static String serviceFor(String name) {
        return "crash-" + name.replace("-service", "");
    }

    static final Map<String, Class<? extends SpecificRecordBase>> OUTPUTS = outputs();

    private static Map<String, Class<? extends SpecificRecordBase>> outputs() {
        Map<String, Class<? extends SpecificRecordBase>> outputs = new LinkedHashMap<>();
        outputs.put("gate-service", GateDecision.class);
        outputs.put("planner-service", DeploymentPlan.class);
        outputs.put("executor-service", DeploymentOutcome.class);
        outputs.put("monitor-service", HealthVerdict.class);
        outputs.put("notifier-service", NotificationRecord.class);
        return outputs;
    }

    @Test
    void eachServiceKilledBetweenConsumeAndEmitThenRestartedEmitsExactlyOnce() throws Exception {
        RunningSystem system = RunningSystem.get();
        List.of("gate-service", "planner-service", "monitor-service").forEach(name -> system.sample(serviceFor(name)));
        // each service keeps its release's events in its outbox (RunningSystem arms it) until it is restarted without it
        Map<String, String> releases = new LinkedHashMap<>();
        OUTPUTS.keySet().forEach(name -> releases.put(name, RunningSystem.heldBy(name) + UUID.randomUUID()));
        List<String> topics = new ArrayList<>(OUTPUTS.values().stream().map(Topics::of).distinct().toList());
        try (var reader = system.client.reader(topics)) {
            releases.forEach((name, releaseId) -> trigger(system, name, releaseId));
            releases.forEach((name, releaseId) -> awaitPendingOutbox(system, name, releaseId));

            List<ServiceProcess> services = OUTPUTS.keySet().stream().map(system::service).toList();
            services.forEach(ServiceProcess::kill9);
            ServiceProcess.startAll(services, RunningSystem.UNHELD); // these instances publish what the killed ones left

            for (Map.Entry<String, String> release : releases.entrySet()) {
                String name = release.getKey();
                String releaseId = release.getValue();
                Class<? extends SpecificRecordBase> output = OUTPUTS.get(name);
                reader.awaitUntil(records -> Trail.of(records, releaseId, output).stream().anyMatch(CrashRecoveryTest::isFinal),
                        Duration.ofSeconds(60), name + ": " + output.getSimpleName());
                // all the restarted instance held is published (its outbox keeps nothing of the release) and read: a
                // duplicate would be on the topic by now
                io.deploystage.stack.Await.until(Duration.ofSeconds(60), name + " publishing what it held",
                        () -> system.unpublished(name, releaseId) == 0);
            }
            reader.readToEnd(Duration.ofSeconds(30));
            assertAll(releases.entrySet().stream().map(release -> () -> assertEmittedOnce(reader.seen(), release.getKey(), release.getValue())));
        }
    }

    /** The service's output for the release on the topic: no event twice, one final decision (or one verdict per check). */
    private static void assertEmittedOnce(List<ConsumerRecord<String, Object>> seen, String name, String releaseId) {
        Class<? extends SpecificRecordBase> output = OUTPUTS.get(name);
        List<? extends SpecificRecordBase> emitted = Trail.of(seen, releaseId, output);
        long distinct = emitted.stream().map(EventEnvelope::eventId).distinct().count();
        assertEquals(distinct, emitted.size(), name + ": no event published twice: " + emitted);
        if (output == GateDecision.class) {
            assertEquals(1, emitted.stream().filter(e -> ((GateDecision) e).getOutcome().name().equals("CLEARED")).count(), name + ": " + emitted);
        } else if (output == HealthVerdict.class) {
            List<String> checks = emitted.stream().map(e -> ((HealthVerdict) e).getCheck()).toList();
            assertEquals(checks.stream().distinct().count(), checks.size(), name + ": one verdict per check: " + checks);
        } else {
            assertEquals(1, emitted.size(), name + ": exactly one " + output.getSimpleName() + ": " + emitted);
        }
    }

    /** The gate announces WAITING before CLEARED; every other service emits its event once. */
    private static boolean isFinal(SpecificRecordBase event) {
        return !(event instanceof GateDecision decision) || decision.getOutcome().name().equals("CLEARED");
    }

    /**
     * Sends what makes the service under test consume an event: the gate, the planner and the monitor get a release of
     * the sample (the monitor a metric sample once it watches the plan); the executor a plan of two quick commands; the
     * notifier an outcome. Each service's output comes within seconds of its input.
     */
    private static void trigger(RunningSystem system, String name, String releaseId) {
        String service = serviceFor(name);
        switch (name) {
            case "executor-service" -> system.client.publish(quickPlan(releaseId, service));
            case "notifier-service" -> system.client.publish(DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId)
                    .setOccurredAt(Instant.now()).setDeploymentId(UUID.randomUUID().toString()).setService(service).setVersion("2.0.0")
                    .setStrategy(Strategy.DIRECT).setOutcome(DeploymentResult.DEPLOYED).build());
            default -> {
                system.client.publish(SampleEvents.backendReleaseCandidate(releaseId, service, "2.0.0"));
                SampleEvents.passingGates(releaseId).forEach(system.client::publish);
            }
        }
        if (name.equals("monitor-service")) {
            awaitQuery(system, name, "select count(*) from watched_deployment where release_id = ?", releaseId);
            Instant now = Instant.now();
            system.client.publish(MetricSample.newBuilder()
                    .setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(now)
                    .setService(service).setEnvironment(Environment.PRODUCTION).setVersion("2.0.0").setCohort(Cohort.CANARY)
                    .setWindowStart(now.minusSeconds(60)).setWindowEnd(now).setRequestCount(100).setErrorCount(1)
                    .build());
        }
    }

    /** A plan of a staging and a production command that succeed at once (safe to re-run). */
    private static DeploymentPlan quickPlan(String releaseId, String service) {
        PlanStep staging = PlanStep.newBuilder().setStepId("staging-deploy").setEnvironment(Environment.STAGING).setKind(StepKind.COMMAND)
                .setAction("Deploy to staging").setCommand(List.of("true")).setExpectedOutcome("done").setIdempotent(true).build();
        PlanStep production = PlanStep.newBuilder(staging).setStepId("prod-deploy").setEnvironment(Environment.PRODUCTION)
                .setAction("Deploy to production").build();
        return DeploymentPlan.newBuilder(MonitorRestartTest.plan(releaseId, service)).setStrategy(Strategy.DIRECT)
                .setSteps(List.of(staging, production)).build();
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
