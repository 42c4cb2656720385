package io.deploystage.monitor.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.deploystage.events.EventEnvelope;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.RollbackCommand;
import io.deploystage.monitor.domain.Assessment;
import io.deploystage.monitor.domain.Check;
import io.deploystage.monitor.domain.Metric;
import io.deploystage.monitor.domain.Window;

/** Avro contracts to the monitor's domain and back, at the edge. */
public final class MonitorEvents {

    private MonitorEvents() {
    }

    public static List<Check> checks(io.deploystage.events.DeploymentPlan plan) {
        return plan.getHealthChecks().stream()
                .filter(c -> c.getMetric() != io.deploystage.events.MetricKind.UNKNOWN)
                .map(c -> new Check(Metric.valueOf(c.getMetric().name()), c.getThreshold(), c.getMaxRelativeDegradation(),
                        c.getBusinessMetric(), c.getHigherIsBetter(), c.getMinSamples()))
                .toList();
    }

    /** The plan's metric queries, for the pull sources. */
    public static List<io.deploystage.monitor.domain.PullQuery> queries(io.deploystage.events.DeploymentPlan plan) {
        return plan.getMetricQueries().stream()
                .filter(q -> q.getEnvironment() != io.deploystage.events.Environment.UNKNOWN)
                .map(q -> new io.deploystage.monitor.domain.PullQuery(q.getEnvironment().name(), q.getName(), q.getQuery()))
                .toList();
    }

    /**
     * A verdict on a window: its id derives from the window's last sample, the check and the cohort's sample count,
     * so it is the same if the window is judged again after a restart, and never collides with another judgement.
     */
    public static HealthVerdict verdict(UUID cause, long serial, String releaseId, UUID deploymentId, Assessment assessment) {
        return HealthVerdict.newBuilder()
                .setEventId(EventEnvelope.derivedId(cause, "health-verdict/" + assessment.check() + "/" + serial))
                .setReleaseId(releaseId)
                .setOccurredAt(Instant.now())
                .setCausationId(cause.toString())
                .setDeploymentId(deploymentId.toString())
                .setCheck(assessment.check())
                .setVerdict(io.deploystage.events.Verdict.valueOf(assessment.verdict().name()))
                .setValue(assessment.value())
                .setBaseline(assessment.baseline())
                .setThreshold(assessment.threshold())
                .setSampleCount(assessment.samples() == Long.MAX_VALUE ? 0 : assessment.samples())
                .setReason(assessment.reason())
                .build();
    }

    /** The one rollback of a deployment: its id depends only on the deployment, so it can never be ordered twice. */
    public static RollbackCommand rollback(UUID cause, String releaseId, UUID deploymentId, List<Assessment> breaches) {
        return RollbackCommand.newBuilder()
                .setEventId(EventEnvelope.derivedId(deploymentId, "rollback"))
                .setReleaseId(releaseId)
                .setOccurredAt(Instant.now())
                .setCausationId(cause.toString())
                .setDeploymentId(deploymentId.toString())
                .setRequestedBy("monitor-service")
                .setReason("Rollback trigger breached: " + String.join("; ", breaches.stream().map(Assessment::reason).toList()))
                .build();
    }

    /** What one or more samples of a cohort measured, as one window (one histogram for all their latencies). */
    public static Window window(List<io.deploystage.events.MetricSample> samples) {
        org.HdrHistogram.Histogram latencies = Window.histogram();
        long lengthMs = 0;
        long requests = 0;
        long errors = 0;
        long errorLines = 0;
        java.util.Map<String, double[]> business = new java.util.HashMap<>();
        for (io.deploystage.events.MetricSample sample : samples) {
            long ms = length(sample).toMillis();
            lengthMs += ms;
            requests += sample.getRequestCount();
            errors += sample.getErrorCount();
            errorLines += sample.getNewErrorLogLines();
            for (Double latency : sample.getLatencyMillis()) {
                latencies.recordValue(Math.round(latency));
            }
            sample.getBusinessMetrics().forEach((name, value) -> {
                double[] weighted = business.computeIfAbsent(name, n -> new double[2]);
                weighted[0] += value * ms;
                weighted[1] += ms;
            });
        }
        java.util.Map<String, Double> rates = new java.util.HashMap<>();
        business.forEach((name, weighted) -> rates.put(name, weighted[1] == 0 ? 0 : weighted[0] / weighted[1]));
        return new Window(Duration.ofMillis(lengthMs), requests, errors, latencies, rates, errorLines);
    }

    public static Duration length(io.deploystage.events.MetricSample sample) {
        Duration length = Duration.between(sample.getWindowStart(), sample.getWindowEnd());
        return length.isNegative() || length.isZero() ? Duration.ofSeconds(1) : length;
    }
}
