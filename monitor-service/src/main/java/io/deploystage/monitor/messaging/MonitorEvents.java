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

    public static HealthVerdict verdict(UUID cause, String releaseId, UUID deploymentId, Assessment assessment) {
        return HealthVerdict.newBuilder()
                .setEventId(EventEnvelope.derivedId(cause, "health-verdict/" + assessment.check()))
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

    /** What a sample measured, as a window. */
    public static Window window(io.deploystage.events.MetricSample sample) {
        double[] latencies = new double[sample.getLatencyMillis().size()];
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = sample.getLatencyMillis().get(i);
        }
        return Window.of(length(sample), sample.getRequestCount(), sample.getErrorCount(), latencies, sample.getBusinessMetrics(),
                sample.getNewErrorLogLines());
    }

    public static Duration length(io.deploystage.events.MetricSample sample) {
        Duration length = Duration.between(sample.getWindowStart(), sample.getWindowEnd());
        return length.isNegative() || length.isZero() ? Duration.ofSeconds(1) : length;
    }
}
