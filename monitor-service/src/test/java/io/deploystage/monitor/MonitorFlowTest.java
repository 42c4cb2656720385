package io.deploystage.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.deploystage.events.Cohort;
import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
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
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.RealStackTest;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Metric windows in, verdicts and at most one rollback out, on the real broker, registry and database. */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "monitor"))
@WithTestResource(SampleMetricsResource.class)
public class MonitorFlowTest extends RealStackTest {

    public static DeploymentPlan plan(String releaseId) {
        return DeploymentPlan.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(Instant.now())
                .setService("checkout").setVersion("1.2.0").setRisk(RiskLevel.MEDIUM).setStrategy(Strategy.CANARY).setRationale("test")
                .setSteps(List.of())
                .setHealthChecks(List.of(
                        HealthCheck.newBuilder().setMetric(MetricKind.ERROR_RATE).setThreshold(1.0).setMaxRelativeDegradation(0.2)
                                .setMinSamples(100).build(),
                        HealthCheck.newBuilder().setMetric(MetricKind.LATENCY_P95).setThreshold(300).setMaxRelativeDegradation(0.2)
                                .setMinSamples(100).build()))
                .setDeploymentChecklist("# Deployment Checklist").setRollbackPlan("# Rollback Plan").build();
    }

    public static MetricSample sample(String releaseId, Cohort cohort, long requests, long errors, double latencyMs) {
        return sample(releaseId, cohort, requests, errors, latencyMs, 0);
    }

    /** A window whose latencies spread evenly from {@code latencyMs} to {@code latencyMs + spreadMs}. */
    public static MetricSample sample(String releaseId, Cohort cohort, long requests, long errors, double latencyMs, double spreadMs) {
        Instant end = Instant.now();
        int count = (int) Math.min(requests, 2_000);
        List<Double> latencies = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            latencies.add(latencyMs + spreadMs * i / count);
        }
        return MetricSample.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(end).setService("checkout")
                .setEnvironment(Environment.PRODUCTION).setVersion(cohort == Cohort.BASELINE ? "1.1.0" : "1.2.0").setCohort(cohort)
                .setWindowStart(end.minusSeconds(60)).setWindowEnd(end).setRequestCount(requests).setErrorCount(errors)
                .setLatencyMillis(latencies).build();
    }

    @Test
    void aBreachOrdersExactlyOneRollbackWithTheNumbers() {
        String releaseId = "mon-" + UUID.randomUUID();
        DeploymentPlan plan = plan(releaseId);
        try (var reader = client.reader(List.of(Topics.HEALTH_VERDICTS, Topics.ROLLBACK_COMMANDS))) {
            client.publish(plan);
            client.publish(sample(releaseId, Cohort.BASELINE, 10_000, 20, 120));
            client.publish(sample(releaseId, Cohort.CANARY, 5_000, 250, 130));
            List<ConsumerRecord<String, Object>> seen = reader.awaitUntil(records -> verdicts(records, releaseId).size() >= 2
                    && rollbacks(records, releaseId).size() >= 1, Duration.ofSeconds(30), "two verdicts and a rollback");
            client.publish(sample(releaseId, Cohort.CANARY, 5_000, 300, 140));
            reader.awaitUntil(records -> verdicts(records, releaseId).size() >= 4, Duration.ofSeconds(30), "four verdicts");
            reader.poll(Duration.ofSeconds(2));
            List<RollbackCommand> rollbacks = rollbacks(reader.seen(), releaseId);
            assertEquals(1, rollbacks.size(), "one rollback per deployment, though both windows breach: " + rollbacks);
            assertEquals(plan.getEventId().toString(), rollbacks.get(0).getDeploymentId());
            assertTrue(rollbacks.get(0).getReason().contains("error rate 5.00% exceeds 1.00% (250/5000)"), rollbacks.get(0).getReason());
            HealthVerdict errorRate = verdicts(seen, releaseId).stream().filter(v -> v.getCheck().equals("ERROR_RATE")).findFirst().orElseThrow();
            assertEquals(Verdict.FAILING, errorRate.getVerdict());
            assertEquals(5.0, errorRate.getValue(), 1e-9);
            assertEquals(0.2, errorRate.getBaseline(), 1e-9);
            assertEquals(1.0, errorRate.getThreshold(), 1e-9);
            assertEquals(5_000, errorRate.getSampleCount());
        }
    }

    /** A plan judging only the given checks. */
    static DeploymentPlan plan(String releaseId, HealthCheck... checks) {
        DeploymentPlan plan = plan(releaseId);
        plan.setHealthChecks(List.of(checks));
        return plan;
    }

    static HealthCheck check(MetricKind metric, double threshold, Double degradation, int minSamples) {
        return HealthCheck.newBuilder().setMetric(metric).setThreshold(threshold).setMaxRelativeDegradation(degradation).setMinSamples(minSamples)
                .build();
    }

    /** Publishes the plan, a baseline and the canary samples; returns the verdicts and rollbacks seen for the release. */
    private List<ConsumerRecord<String, Object>> judge(DeploymentPlan plan, MetricSample baseline, int verdicts, MetricSample... canary) {
        String releaseId = plan.getReleaseId();
        try (var reader = client.reader(List.of(Topics.HEALTH_VERDICTS, Topics.ROLLBACK_COMMANDS))) {
            client.publish(plan);
            client.publish(baseline);
            for (MetricSample sample : canary) {
                client.publish(sample);
            }
            reader.awaitUntil(records -> verdicts(records, releaseId).size() >= verdicts, Duration.ofSeconds(30), verdicts + " verdicts");
            reader.poll(Duration.ofSeconds(2));
            return reader.seen();
        }
    }

    @Test
    void oneErrorIn100AgainstNoneIn700IsNoiseAnd30In1000IsABreach() {
        HealthCheck errorRate = check(MetricKind.ERROR_RATE, 5.0, 0.2, 100);
        String noise = "mon-" + UUID.randomUUID();
        List<ConsumerRecord<String, Object>> seen = judge(plan(noise, errorRate), sample(noise, Cohort.BASELINE, 700, 0, 50), 1,
                sample(noise, Cohort.CANARY, 100, 1, 50));
        HealthVerdict verdict = verdicts(seen, noise).get(0);
        assertEquals(Verdict.HEALTHY, verdict.getVerdict(), verdict.getReason());
        assertTrue(verdict.getReason().contains("not significantly worse, Fisher's exact test p=0.1250"), verdict.getReason());
        assertEquals(List.of(), rollbacks(seen, noise), "no rollback for one error");
        assertEquals(Environment.PRODUCTION, verdict.getEnvironment());
        assertEquals(Cohort.CANARY, verdict.getCohort());
        assertTrue(verdict.getWindowStart() != null && verdict.getWindowEnd().isAfter(verdict.getWindowStart()), "the window judged");

        String breach = "mon-" + UUID.randomUUID();
        seen = judge(plan(breach, errorRate), sample(breach, Cohort.BASELINE, 1_000, 0, 50), 1, sample(breach, Cohort.CANARY, 1_000, 30, 50));
        verdict = verdicts(seen, breach).get(0);
        assertEquals(Verdict.FAILING, verdict.getVerdict(), verdict.getReason());
        assertTrue(verdict.getReason().contains("significantly worse than the baseline 0.00% (30/1000 now, 0/1000 before)"), verdict.getReason());
        assertEquals(1, rollbacks(seen, breach).size());
    }

    @Test
    void noLogSourceIsInconclusiveAndNewWarnLinesFail() {
        HealthCheck errors = check(MetricKind.NEW_LOG_ERRORS, 0, null, 1);
        HealthCheck warnings = check(MetricKind.NEW_LOG_WARNINGS, 0, 0.5, 1);
        String unread = "mon-" + UUID.randomUUID();
        List<ConsumerRecord<String, Object>> seen = judge(plan(unread, errors, warnings), sample(unread, Cohort.BASELINE, 1_000, 0, 50), 2,
                sample(unread, Cohort.CANARY, 1_000, 0, 50));
        for (HealthVerdict verdict : verdicts(seen, unread)) {
            assertEquals(Verdict.INCONCLUSIVE, verdict.getVerdict(), verdict.getCheck() + ": 0 lines from an agent that reads no logs is no evidence");
            assertTrue(verdict.getReason().startsWith("no log source"), verdict.getReason());
        }

        String warned = "mon-" + UUID.randomUUID();
        MetricSample baseline = sample(warned, Cohort.BASELINE, 1_000, 0, 50);
        baseline.setLogLinesCounted(true);
        MetricSample canary = sample(warned, Cohort.CANARY, 1_000, 0, 50);
        canary.setLogLinesCounted(true);
        canary.setNewWarnLogLines(7);
        seen = judge(plan(warned, errors, warnings), baseline, 2, canary);
        HealthVerdict warn = verdicts(seen, warned).stream().filter(v -> v.getCheck().equals("NEW_LOG_WARNINGS")).findFirst().orElseThrow();
        assertEquals(Verdict.FAILING, warn.getVerdict(), warn.getReason());
        assertTrue(warn.getReason().contains("7 new WARN log lines"), warn.getReason());
        HealthVerdict error = verdicts(seen, warned).stream().filter(v -> v.getCheck().equals("NEW_LOG_ERRORS")).findFirst().orElseThrow();
        assertEquals(Verdict.HEALTHY, error.getVerdict(), "counted, and none: " + error.getReason());
        assertEquals(1, rollbacks(seen, warned).size());
    }

    @Test
    void p99FailsOnItsThresholdWhereP95IsFine() {
        String releaseId = "mon-" + UUID.randomUUID();
        DeploymentPlan plan = plan(releaseId, check(MetricKind.LATENCY_P95, 300, 0.5, 100), check(MetricKind.LATENCY_P99, 200, 0.5, 100));
        // baseline 50 ms; canary: 97% of the requests at 50 ms, the slowest 3% at 400 ms
        MetricSample canary = sample(releaseId, Cohort.CANARY, 1_000, 0, 50);
        List<Double> latencies = new java.util.ArrayList<>(java.util.Collections.nCopies(970, 50.0));
        latencies.addAll(java.util.Collections.nCopies(30, 400.0));
        canary.setLatencyMillis(latencies);
        List<ConsumerRecord<String, Object>> seen = judge(plan, sample(releaseId, Cohort.BASELINE, 1_000, 0, 50), 2, canary);
        HealthVerdict p95 = verdicts(seen, releaseId).stream().filter(v -> v.getCheck().equals("LATENCY_P95")).findFirst().orElseThrow();
        HealthVerdict p99 = verdicts(seen, releaseId).stream().filter(v -> v.getCheck().equals("LATENCY_P99")).findFirst().orElseThrow();
        assertEquals(Verdict.HEALTHY, p95.getVerdict(), p95.getReason());
        assertEquals(Verdict.FAILING, p99.getVerdict(), p99.getReason());
        assertTrue(p99.getReason().matches("p99 latency 40\\dms exceeds 200ms.*"), p99.getReason());
    }

    @Test
    void aHealthyWindowIsHealthyAndTooFewSamplesAreInconclusive() {
        String releaseId = "mon-" + UUID.randomUUID();
        try (var reader = client.reader(List.of(Topics.HEALTH_VERDICTS, Topics.ROLLBACK_COMMANDS))) {
            client.publish(plan(releaseId));
            client.publish(sample(releaseId, Cohort.BASELINE, 10_000, 20, 120));
            client.publish(sample(releaseId, Cohort.CANARY, 5_000, 10, 125));
            reader.awaitUntil(records -> verdicts(records, releaseId).size() >= 2, Duration.ofSeconds(30), "two verdicts");
            client.publish(sample(releaseId, Cohort.CANARY, 40, 0, 125));
            reader.awaitUntil(records -> verdicts(records, releaseId).size() >= 4, Duration.ofSeconds(30), "four verdicts");
            reader.poll(Duration.ofSeconds(2));
            List<HealthVerdict> verdicts = verdicts(reader.seen(), releaseId);
            assertEquals(List.of(Verdict.HEALTHY, Verdict.HEALTHY, Verdict.INCONCLUSIVE, Verdict.INCONCLUSIVE),
                    verdicts.stream().map(HealthVerdict::getVerdict).toList(), "5,000 requests, then 40 of the 100 needed: " + verdicts);
            assertEquals(5_000, verdicts.get(0).getSampleCount());
            assertEquals(40, verdicts.get(2).getSampleCount());
            assertTrue(rollbacks(reader.seen(), releaseId).isEmpty());
        }
    }

    @Test
    void aCanarySlowerThanStableFailsTheMannWhitneyComparison() {
        String releaseId = "mon-" + UUID.randomUUID();
        DeploymentPlan plan = plan(releaseId);
        plan.getHealthChecks().get(1).setThreshold(1_000);
        try (var reader = client.reader(List.of(Topics.HEALTH_VERDICTS, Topics.ROLLBACK_COMMANDS))) {
            client.publish(plan);
            client.publish(sample(releaseId, Cohort.BASELINE, 10_000, 20, 120, 80));
            client.publish(sample(releaseId, Cohort.STABLE, 2_000, 4, 120, 40));
            reader.awaitUntil(records -> verdicts(records, releaseId).size() >= 2, Duration.ofSeconds(30), "the stable cohort's verdicts");
            client.publish(sample(releaseId, Cohort.CANARY, 2_000, 4, 160, 40));
            reader.awaitUntil(records -> rollbacks(records, releaseId).size() >= 1 && verdicts(records, releaseId).stream()
                    .anyMatch(v -> v.getCheck().equals("CANARY_LATENCY_P95")), Duration.ofSeconds(30), "a rollback and the canary's verdict");
            HealthVerdict judged = verdicts(reader.seen(), releaseId).stream().filter(v -> v.getCheck().equals("CANARY_LATENCY_P95"))
                    .findFirst().orElseThrow();
            assertEquals(Verdict.FAILING, judged.getVerdict(), judged.getReason());
            assertTrue(judged.getReason().contains("Mann-Whitney"), judged.getReason());
            HealthVerdict threshold = verdicts(reader.seen(), releaseId).stream()
                    .filter(v -> v.getCheck().equals("LATENCY_P95") && v.getCausationId().equals(judged.getCausationId())).findFirst().orElseThrow();
            assertEquals(Verdict.HEALTHY, threshold.getVerdict(), "p95 ~198 ms is within 20% of the baseline's ~196 ms: only the comparison with stable (~158 ms) catches it: "
                    + threshold.getReason());
        }
    }

    @Test
    void aSamplePublishedTwiceIsCountedOnce() {
        String releaseId = "mon-" + UUID.randomUUID();
        MetricSample first = sample(releaseId, Cohort.CANARY, 5_000, 0, 120);
        try (var reader = client.reader(List.of(Topics.HEALTH_VERDICTS))) {
            client.publish(plan(releaseId));
            client.publish(sample(releaseId, Cohort.BASELINE, 10_000, 0, 120));
            client.publish(first);
            reader.awaitUntil(records -> verdicts(records, releaseId).size() >= 2, Duration.ofSeconds(30), "the first window's verdicts");
            client.publish(first); // the same event again, at a new offset (a producer's retry, a relay re-publishing)
            client.publish(sample(releaseId, Cohort.CANARY, 300, 0, 120));
            reader.awaitUntil(records -> verdicts(records, releaseId).size() >= 4, Duration.ofSeconds(30), "the second window's verdicts");
            reader.poll(Duration.ofSeconds(2));
            // error rate counts requests, p95 latency its (at most 2,000) latency values
            assertEquals(List.of(5_000L, 2_000L, 300L, 300L), verdicts(reader.seen(), releaseId).stream().map(HealthVerdict::getSampleCount).toList(),
                    "the repeated sample is neither a window of its own nor added to the next one");
        }
    }

    @Test
    void watchingGoesOnThroughTheStabilizationWindowAndEndsWithIt() {
        String deployed = "mon-" + UUID.randomUUID();
        String expired = "mon-" + UUID.randomUUID();
        String rolledBack = "mon-" + UUID.randomUUID();
        DeploymentPlan deployedPlan = plan(deployed);
        DeploymentPlan expiredPlan = plan(expired);
        DeploymentPlan rolledBackPlan = plan(rolledBack);
        try (var reader = client.reader(List.of(Topics.HEALTH_VERDICTS, Topics.ROLLBACK_COMMANDS))) {
            for (DeploymentPlan plan : List.of(deployedPlan, expiredPlan, rolledBackPlan)) {
                client.publish(plan);
                client.publish(sample(plan.getReleaseId(), Cohort.BASELINE, 10_000, 0, 120));
            }
            // DEPLOYED just now (watched for 24 h), DEPLOYED 25 h ago (the window is over), and ROLLED_BACK
            client.publish(outcome(deployedPlan, DeploymentResult.DEPLOYED, Instant.now()));
            client.publish(outcome(expiredPlan, DeploymentResult.DEPLOYED, Instant.now().minus(Duration.ofHours(25))));
            client.publish(outcome(rolledBackPlan, DeploymentResult.ROLLED_BACK, Instant.now()));
            Await.until(Duration.ofSeconds(30), "the outcomes recorded", () -> watchState(deployed) + watchState(expired) + watchState(rolledBack),
                    states -> states.equals("watching" + "until-past" + "ended"));
            for (DeploymentPlan plan : List.of(deployedPlan, expiredPlan, rolledBackPlan)) {
                client.publish(sample(plan.getReleaseId(), Cohort.CANARY, 5_000, 400, 130));
            }
            reader.awaitUntil(records -> !rollbacks(records, deployed).isEmpty(), Duration.ofSeconds(30), "the rollback of the DEPLOYED release");
            reader.poll(Duration.ofSeconds(3));
            assertTrue(rollbacks(reader.seen(), deployed).get(0).getReason().contains("error rate 8.00% exceeds 1.00%"));
            assertEquals(List.of(), verdicts(reader.seen(), expired), "past its stabilization window: no longer judged");
            assertEquals(List.of(), verdicts(reader.seen(), rolledBack), "rolled back: no longer judged");
            assertTrue(rollbacks(reader.seen(), expired).isEmpty() && rollbacks(reader.seen(), rolledBack).isEmpty());
        }
    }

    @Test
    void aNewerDeploymentInProductionEndsTheWatchOfTheOlderOne() throws Exception {
        String older = "mon-" + UUID.randomUUID();
        String newer = "mon-" + UUID.randomUUID();
        String service = "svc-" + UUID.randomUUID().toString().substring(0, 8);
        DeploymentPlan olderPlan = plan(older);
        olderPlan.setService(service);
        DeploymentPlan newerPlan = plan(newer);
        newerPlan.setService(service);
        try (var reader = client.reader(List.of(Topics.HEALTH_VERDICTS, Topics.ROLLBACK_COMMANDS))) {
            // plans and step events travel on different topics: each plan is in before its deployment's steps, as in the system
            client.publish(olderPlan);
            client.publish(sample(older, Cohort.BASELINE, 10_000, 0, 120));
            Await.until(Duration.ofSeconds(30), "the older plan watched", () -> watchRow(older, "1", rows -> "watched"), "watched"::equals);
            client.publish(outcome(olderPlan, DeploymentResult.DEPLOYED, Instant.now()));
            Await.until(Duration.ofSeconds(30), "the older release watched through its stabilization", () -> watchState(older), "watching"::equals);
            client.publish(step(olderPlan, "deploy-canary", Environment.PRODUCTION));
            Await.until(Duration.ofSeconds(30), "the older release in production", () -> touched(older), "PRODUCTION"::equals);
            // the newer one is planned and passes staging: the older one is still watched
            client.publish(newerPlan);
            Await.until(Duration.ofSeconds(30), "the newer plan watched", () -> watchRow(newer, "1", rows -> "watched"), "watched"::equals);
            client.publish(outcome(newerPlan, DeploymentResult.DEPLOYED, Instant.now().plus(Duration.ofHours(1))));
            Await.until(Duration.ofSeconds(30), "the newer release watched", () -> watchState(newer), "watching"::equals);
            client.publish(step(newerPlan, "staging-deploy", Environment.STAGING));
            client.publish(sample(older, Cohort.CANARY, 1_000, 0, 120));
            reader.awaitUntil(records -> !verdicts(records, older).isEmpty(), Duration.ofSeconds(30), "a verdict on the older release");
            // then it starts in production: the older one is no longer judged, and a breach in its samples orders nothing
            client.publish(step(newerPlan, "deploy-canary", Environment.PRODUCTION));
            Await.until(Duration.ofSeconds(30), "the older watch ended", () -> watchState(older), "ended"::equals);
            org.junit.jupiter.api.Assertions.assertNotEquals("ended", watchState(newer), "the newer one is watched");
            // an 8% error rate would fail the older release, were it still judged
            client.publish(sample(older, Cohort.CANARY, 5_000, 400, 130));
            client.publish(sample(newer, Cohort.BASELINE, 10_000, 0, 120));
            reader.poll(Duration.ofSeconds(3));
            assertEquals(List.of(), verdicts(reader.seen(), older).stream().filter(v -> v.getVerdict() == io.deploystage.events.Verdict.FAILING)
                    .toList(), "superseded: no longer judged");
            assertTrue(rollbacks(reader.seen(), older).isEmpty(), "no rollback under the newer deployment");
        }
    }

    static io.deploystage.events.StepEvent step(DeploymentPlan plan, String stepId, Environment environment) {
        return io.deploystage.events.StepEvent.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(plan.getReleaseId()).setOccurredAt(Instant.now())
                .setCausationId(plan.getEventId().toString()).setDeploymentId(plan.getEventId().toString()).setStepId(stepId)
                .setEnvironment(environment).setStatus(io.deploystage.events.StepStatus.STARTED).setAction("test").build();
    }

    static DeploymentOutcome outcome(DeploymentPlan plan, DeploymentResult result, Instant at) {
        return DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(plan.getReleaseId()).setOccurredAt(at)
                .setCausationId(plan.getEventId().toString()).setDeploymentId(plan.getEventId().toString()).setService(plan.getService())
                .setVersion(plan.getVersion()).setStrategy(plan.getStrategy()).setOutcome(result).setReason("test").build();
    }

    /** The environments the deployment's steps touched, as the monitor's database has it. */
    private static String touched(String releaseId) throws Exception {
        return watchRow(releaseId, "touched", rows -> rows.getString(1));
    }

    /** "watching", "until-past" or "ended", as the monitor's database has it ("" before the plan is stored). */
    private static String watchState(String releaseId) throws Exception {
        return watchRow(releaseId, "ended, watch_until", rows -> {
            if (rows.getBoolean(1)) {
                return "ended";
            }
            java.sql.Timestamp until = rows.getTimestamp(2);
            return until == null ? "" : until.toInstant().isBefore(Instant.now()) ? "until-past" : "watching";
        });
    }

    interface RowReader {
        String read(java.sql.ResultSet rows) throws java.sql.SQLException;
    }

    /** Reads columns of the release's watch row; "" when there is none yet. */
    private static String watchRow(String releaseId, String columns, RowReader reader) throws Exception {
        var postgres = LocalStackResource.stack().postgres();
        try (var db = java.sql.DriverManager.getConnection(postgres.jdbcUrl("monitor"), postgres.user(), postgres.password());
                var query = db.prepareStatement("select " + columns + " from watched_deployment where release_id = ?")) {
            query.setString(1, releaseId);
            try (var rows = query.executeQuery()) {
                return rows.next() ? reader.read(rows) : "";
            }
        }
    }

    private static List<RollbackCommand> rollbacks(List<ConsumerRecord<String, Object>> records, String releaseId) {
        return records.stream().map(ConsumerRecord::value).filter(RollbackCommand.class::isInstance).map(RollbackCommand.class::cast)
                .filter(r -> r.getReleaseId().equals(releaseId)).toList();
    }

    private static List<HealthVerdict> verdicts(List<ConsumerRecord<String, Object>> records, String releaseId) {
        return records.stream().map(ConsumerRecord::value).filter(HealthVerdict.class::isInstance).map(HealthVerdict.class::cast)
                .filter(v -> v.getReleaseId().equals(releaseId)).toList();
    }
}
