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

    /** The window a verdict judged: its environment, cohort and period, and how long a baseline it was compared with. */
    public record Judged(String environment, String cohort, Window window, Long baselineSeconds) {
    }

    /**
     * A verdict on a window: its id derives from the window's last sample, the check and the cohort's sample count,
     * so it is the same if the window is judged again after a restart, and never collides with another judgement.
     */
    public static HealthVerdict verdict(UUID cause, long serial, String releaseId, UUID deploymentId, Judged judged, Assessment assessment) {
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
                .setEnvironment(io.deploystage.events.Environment.valueOf(judged.environment()))
                .setCohort(io.deploystage.events.Cohort.valueOf(judged.cohort()))
                .setWindowStart(judged.window().start())
                .setWindowEnd(judged.window().end())
                .setBaselineSeconds(judged.baselineSeconds())
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

    /**
     * What one or more samples of a cohort measured, as one window (one histogram for all their latencies). A sample
     * with precomputed percentiles instead of raw latencies adds its requests as a stepped distribution through them:
     * half at p50, 45% at p95, 4% at p99 and 1% above.
     */
    public static Window window(List<io.deploystage.events.MetricSample> samples) {
        org.HdrHistogram.Histogram latencies = Window.histogram();
        Window window = Window.empty();
        for (io.deploystage.events.MetricSample sample : samples) {
            long ms = length(sample).toMillis();
            if (!sample.getLatencyMillis().isEmpty()) {
                for (Double latency : sample.getLatencyMillis()) {
                    latencies.recordValue(Math.round(latency));
                }
            } else {
                precomputed(sample, latencies);
            }
            Window one = new Window(Duration.ofMillis(ms), sample.getRequestCount(), sample.getErrorCount(), Window.histogram(),
                    sample.getBusinessMetrics(), sample.getNewErrorLogLines(), sample.getNewWarnLogLines(), sample.getLogLinesCounted(),
                    sample.getWindowStart(), sample.getWindowEnd());
            window = window.plus(one);
        }
        return new Window(window.length(), window.requests(), window.errors(), latencies, window.businessMetrics(), window.newErrorLines(),
                window.newWarnLines(), window.logsCounted(), window.start(), window.end());
    }

    /** Precomputed p50/p95/p99 of a sample without raw latencies, as a stepped distribution of its requests. */
    static void precomputed(io.deploystage.events.MetricSample sample, org.HdrHistogram.Histogram latencies) {
        Double p50 = sample.getLatencyP50();
        Double p95 = sample.getLatencyP95();
        Double p99 = sample.getLatencyP99();
        long n = Math.min(sample.getRequestCount(), 100_000);
        if (n == 0 || p50 == null && p95 == null && p99 == null) {
            return;
        }
        double median = p50 != null ? p50 : p95 != null ? p95 : p99;
        double high = p95 != null ? p95 : p99 != null ? p99 : median;
        double highest = p99 != null ? p99 : high;
        long half = Math.round(n * 0.50);
        long most = Math.round(n * 0.45);
        long tail = Math.round(n * 0.04);
        latencies.recordValueWithCount(Math.round(median), Math.max(1, half));
        latencies.recordValueWithCount(Math.round(high), Math.max(1, most));
        latencies.recordValueWithCount(Math.round(highest), Math.max(1, tail));
        latencies.recordValueWithCount(Math.round(highest), Math.max(1, n - half - most - tail));
    }

    public static Duration length(io.deploystage.events.MetricSample sample) {
        Duration length = Duration.between(sample.getWindowStart(), sample.getWindowEnd());
        return length.isNegative() || length.isZero() ? Duration.ofSeconds(1) : length;
    }
}
