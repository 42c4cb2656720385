package io.deploystage.monitor.application;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.EventEnvelope;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.MetricSample;
import io.deploystage.events.StepEvent;
import io.deploystage.events.Verdict;
import io.deploystage.monitor.persistence.MetricWindowEntity;
import io.deploystage.monitor.persistence.WatchedDeploymentEntity;
import io.smallrye.mutiny.Uni;

/**
 * PLACEHOLDER (walking skeleton): keeps the deployments under watch and answers each metric window with an
 * INCONCLUSIVE HealthVerdict. The verdict rules exist in {@code domain} (ThresholdEvaluator, CanaryJudge); wiring them
 * to the plan's checks, the baseline window and the sources is the monitor-service issue.
 */
@ApplicationScoped
public class MonitoringFlow {

    public Uni<List<SpecificRecordBase>> onPlan(DeploymentPlan plan) {
        WatchedDeploymentEntity watched = new WatchedDeploymentEntity();
        watched.deploymentId = plan.getEventId();
        watched.releaseId = plan.getReleaseId();
        watched.service = plan.getService();
        watched.updatedAt = Instant.now();
        return watched.persist().replaceWith(List.of());
    }

    public Uni<List<SpecificRecordBase>> onStepEvent(StepEvent step) {
        UUID deploymentId;
        try {
            deploymentId = UUID.fromString(step.getDeploymentId());
        } catch (IllegalArgumentException e) {
            throw new io.deploystage.platform.messaging.RejectedEvent("deploymentId is not a UUID");
        }
        return WatchedDeploymentEntity.<WatchedDeploymentEntity>findById(deploymentId)
                .invoke(watched -> {
                    if (watched != null) {
                        watched.lastStep = step.getStepId() + " " + step.getStatus();
                        watched.updatedAt = Instant.now();
                    }
                })
                .replaceWith(List.of());
    }

    public Uni<List<SpecificRecordBase>> onMetricSample(MetricSample sample) {
        MetricWindowEntity window = new MetricWindowEntity();
        window.eventId = sample.getEventId();
        window.releaseId = sample.getReleaseId();
        window.service = sample.getService();
        window.requestCount = sample.getRequestCount();
        window.errorCount = sample.getErrorCount();
        window.windowEnd = sample.getWindowEnd();
        return WatchedDeploymentEntity.<WatchedDeploymentEntity>find("releaseId", sample.getReleaseId()).firstResult()
                .call(() -> window.persist())
                .map(watched -> List.<SpecificRecordBase>of(HealthVerdict.newBuilder()
                        .setEventId(EventEnvelope.derivedId(sample.getEventId(), "health-verdict"))
                        .setReleaseId(sample.getReleaseId())
                        .setOccurredAt(Instant.now())
                        .setCausationId(sample.getEventId().toString())
                        .setDeploymentId(watched == null ? "" : watched.deploymentId.toString())
                        .setCheck("error-rate")
                        .setVerdict(Verdict.INCONCLUSIVE)
                        .setSampleCount(sample.getRequestCount())
                        .setReason("Not judged yet (placeholder): " + sample.getErrorCount() + " errors in " + sample.getRequestCount() + " requests")
                        .build()));
    }
}
