package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

import io.deploystage.events.Cohort;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.Environment;
import io.deploystage.events.HealthCheck;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.MetricKind;
import io.deploystage.events.MetricSample;
import io.deploystage.events.RiskLevel;
import io.deploystage.events.RollbackCommand;
import io.deploystage.events.Strategy;
import io.deploystage.events.Topics;
import io.deploystage.events.Verdict;
import io.deploystage.stack.Await;
import io.deploystage.stack.ServiceProcess;

/**
 * A monitor killed (kill -9) in the middle of a window loses none of it: the baseline and the samples applied before
 * the kill are still there after the restart, and a sample the broker hands out again is not counted twice.
 */
@Isolated
class MonitorRestartTest {

    static final String SERVICE = "monitor-probe";
    /** This class's own service: one verdict per window per hour (RunningSystem), so a window stays open across the restart. */
    static final String RESTART_SERVICE = "monitor-restart-probe";

    @Test
    void aRestartInTheMiddleOfAWindowLosesNoState() throws Exception {
        RunningSystem system = RunningSystem.get();
        ServiceProcess monitor = system.service("monitor-service");
        // one verdict per window per hour, and 60 requests of the 100 a verdict needs: the window stays open across the
        // restart (a breach is still announced at once)
        String releaseId = "restart-" + UUID.randomUUID();
        DeploymentPlan plan = plan(releaseId, RESTART_SERVICE);
        try (var reader = system.client.reader(List.of(Topics.HEALTH_VERDICTS, Topics.ROLLBACK_COMMANDS))) {
            system.client.publish(plan);
            system.client.publish(sample(releaseId, RESTART_SERVICE, Cohort.BASELINE, 10_000, 0));
            system.client.publish(sample(releaseId, RESTART_SERVICE, Cohort.CANARY, 100, 0));
            HealthVerdict first = verdicts(reader.awaitUntil(records -> !verdicts(records, releaseId).isEmpty(), Duration.ofSeconds(60),
                    "the first window's verdict"), releaseId).get(0);
            assertEquals(Verdict.HEALTHY, first.getVerdict(), "the 100 requests needed, no error: " + first.getReason());
            assertEquals(100, first.getSampleCount());

            system.client.publish(sample(releaseId, RESTART_SERVICE, Cohort.CANARY, 60, 0));
            Await.until(Duration.ofSeconds(30), "the second window applied (60 requests pending a verdict)",
                    () -> pendingRequests(system, releaseId), pending -> pending == 60);
            monitor.kill9();
            monitor.start();

            system.client.publish(sample(releaseId, RESTART_SERVICE, Cohort.CANARY, 60, 1));
            List<ConsumerRecord<String, Object>> seen = reader.awaitUntil(records -> records.stream()
                    .anyMatch(r -> r.value() instanceof RollbackCommand c && c.getReleaseId().equals(releaseId))
                    && verdicts(records, releaseId).stream().anyMatch(v -> v.getVerdict() == Verdict.FAILING), Duration.ofSeconds(60),
                    "the rollback and the failing verdict after the restart");
            HealthVerdict failing = verdicts(seen, releaseId).stream().filter(v -> v.getVerdict() == Verdict.FAILING).findFirst().orElseThrow();
            assertEquals(120, failing.getSampleCount(), "the 60 requests from before the kill and the 60 after, each counted once");
            assertTrue(failing.getReason().contains("significantly worse than the baseline 0.00% (1/120 now, 0/10000 before)"), failing.getReason());
            assertEquals(2, verdicts(seen, releaseId).size(), "one verdict before the kill, one after: " + verdicts(seen, releaseId));
        } finally {
            if (!monitor.isAlive()) {
                monitor.start();
            }
        }
    }

    static DeploymentPlan plan(String releaseId) {
        return plan(releaseId, SERVICE);
    }

    static DeploymentPlan plan(String releaseId, String service) {
        return DeploymentPlan.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(Instant.now())
                .setService(service).setVersion("2.0.0").setRisk(RiskLevel.LOW).setStrategy(Strategy.CANARY).setRationale("restart test")
                .setSteps(List.of())
                .setHealthChecks(List.of(HealthCheck.newBuilder().setMetric(MetricKind.ERROR_RATE).setThreshold(5.0)
                        .setMaxRelativeDegradation(0.2).setMinSamples(100).build()))
                .setDeploymentChecklist("# Deployment Checklist").setRollbackPlan("# Rollback Plan").build();
    }

    static MetricSample sample(String releaseId, Cohort cohort, long requests, long errors) {
        return sample(releaseId, SERVICE, cohort, requests, errors);
    }

    static MetricSample sample(String releaseId, String service, Cohort cohort, long requests, long errors) {
        Instant end = Instant.now();
        return MetricSample.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(end).setService(service)
                .setEnvironment(Environment.PRODUCTION).setVersion(cohort == Cohort.BASELINE ? "1.9.0" : "2.0.0").setCohort(cohort)
                .setWindowStart(end.minusSeconds(10)).setWindowEnd(end).setRequestCount(requests).setErrorCount(errors).build();
    }

    private static long pendingRequests(RunningSystem system, String releaseId) throws SQLException {
        try (Connection db = system.database("monitor-service");
                PreparedStatement query = db.prepareStatement("select (pending::json->>'requests')::bigint from cohort_window where window_key = ?")) {
            query.setString(1, releaseId + "/PRODUCTION/CANARY");
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getLong(1) : -1;
            }
        }
    }

    private static List<HealthVerdict> verdicts(List<ConsumerRecord<String, Object>> records, String releaseId) {
        return records.stream().map(ConsumerRecord::value).filter(HealthVerdict.class::isInstance).map(HealthVerdict.class::cast)
                .filter(v -> v.getReleaseId().equals(releaseId)).toList();
    }
}
