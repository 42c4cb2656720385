package io.deploystage.monitor.application;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;

import io.deploystage.events.Cohort;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.MetricSample;
import io.deploystage.events.StepEvent;
import io.deploystage.monitor.domain.Assessment;
import io.deploystage.monitor.domain.Check;
import io.deploystage.monitor.domain.ThresholdEvaluator;
import io.deploystage.monitor.domain.Verdict;
import io.deploystage.monitor.domain.Window;
import io.deploystage.monitor.messaging.MonitorEvents;
import io.deploystage.monitor.persistence.MetricWindowEntity;
import io.deploystage.monitor.persistence.WatchedDeploymentEntity;
import io.deploystage.platform.messaging.RejectedEvent;
import io.deploystage.platform.persistence.JsonText;
import io.smallrye.mutiny.Uni;

/**
 * Watches each planned deployment: keeps its checks and the metric windows pushed for it, judges every post-deploy
 * window against the plan's thresholds and the pre-deploy baseline (the BASELINE cohort's windows), announces a
 * HealthVerdict per check, and orders the deployment's one RollbackCommand as soon as a check fails.
 * Still to come (monitor-service issue): Prometheus and scrape sources, cohort comparison with the canary judge,
 * the stabilization window after DEPLOYED.
 */
@ApplicationScoped
public class MonitoringFlow {

    private static final Logger LOG = Logger.getLogger(MonitoringFlow.class);
    private static final TypeReference<List<Check>> CHECKS = new TypeReference<>() { };
    private static final TypeReference<double[]> LATENCIES = new TypeReference<>() { };
    private static final TypeReference<Map<String, Double>> BUSINESS = new TypeReference<>() { };

    public Uni<List<SpecificRecordBase>> onPlan(DeploymentPlan plan) {
        WatchedDeploymentEntity watched = new WatchedDeploymentEntity();
        watched.deploymentId = plan.getEventId();
        watched.releaseId = plan.getReleaseId();
        watched.service = plan.getService();
        watched.checks = JsonText.write(MonitorEvents.checks(plan));
        watched.updatedAt = Instant.now();
        // windows pushed before the plan arrived (another topic, consumed concurrently) are judged now
        return watched.persist()
                .chain(() -> MetricWindowEntity.<MetricWindowEntity>list("releaseId = ?1 and cohort <> ?2 order by windowEnd",
                        plan.getReleaseId(), Cohort.BASELINE.name()))
                .chain(early -> judgeEach(early, 0, watched, new ArrayList<>()));
    }

    private Uni<List<SpecificRecordBase>> judgeEach(List<MetricWindowEntity> windows, int index, WatchedDeploymentEntity watched,
            List<SpecificRecordBase> out) {
        if (index >= windows.size()) {
            return Uni.createFrom().item(out);
        }
        MetricWindowEntity row = windows.get(index);
        row.deploymentId = watched.deploymentId;
        return judge(row.eventId, row.releaseId, row.environment, windowOf(row), watched).chain(events -> {
            out.addAll(events);
            return judgeEach(windows, index + 1, watched, out);
        });
    }

    public Uni<List<SpecificRecordBase>> onStepEvent(StepEvent step) {
        UUID deploymentId;
        try {
            deploymentId = UUID.fromString(step.getDeploymentId());
        } catch (IllegalArgumentException e) {
            throw new RejectedEvent("deploymentId is not a UUID");
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
        validate(sample);
        return WatchedDeploymentEntity.<WatchedDeploymentEntity>find("releaseId = ?1 order by updatedAt desc", sample.getReleaseId())
                .<WatchedDeploymentEntity>firstResult()
                .chain(watched -> store(sample, watched).replaceWith(watched))
                .chain(watched -> watched == null || sample.getCohort() == Cohort.BASELINE
                        ? Uni.createFrom().item(List.<SpecificRecordBase>of())
                        : judge(sample.getEventId(), sample.getReleaseId(), sample.getEnvironment().name(), Window.of(MonitorEvents.length(sample), sample.getRequestCount(),
                                sample.getErrorCount(), sample.getLatencyMillis().stream().mapToDouble(Double::doubleValue).toArray(),
                                sample.getBusinessMetrics(), sample.getNewErrorLogLines()), watched));
    }

    /** Judges a window against the plan's checks and the baseline of the same environment. */
    private Uni<List<SpecificRecordBase>> judge(UUID cause, String releaseId, String environment, Window now, WatchedDeploymentEntity watched) {
        return MetricWindowEntity.<MetricWindowEntity>list("releaseId = ?1 and cohort = ?2 and environment = ?3", releaseId,
                        Cohort.BASELINE.name(), environment)
                .map(baselineRows -> {
                    Window baseline = baselineRows.isEmpty() ? null : baseline(baselineRows);
                    List<SpecificRecordBase> out = new ArrayList<>();
                    List<Assessment> breaches = new ArrayList<>();
                    for (Check check : JsonText.read(watched.checks, CHECKS)) {
                        Assessment assessment = ThresholdEvaluator.assess(check, now, baseline);
                        out.add(MonitorEvents.verdict(cause, releaseId, watched.deploymentId, assessment));
                        if (assessment.verdict() == Verdict.FAILING) {
                            breaches.add(assessment);
                        }
                    }
                    if (!breaches.isEmpty() && !watched.rollbackOrdered) {
                        watched.rollbackOrdered = true;
                        out.add(MonitorEvents.rollback(cause, releaseId, watched.deploymentId, breaches));
                        LOG.warnf("Release %s: rollback ordered: %s", releaseId, breaches.get(0).reason());
                    }
                    return out;
                });
    }

    private static Window windowOf(MetricWindowEntity row) {
        return Window.of(Duration.between(row.windowStart, row.windowEnd).isZero() ? Duration.ofSeconds(1)
                : Duration.between(row.windowStart, row.windowEnd), row.requestCount, row.errorCount, JsonText.read(row.latencies, LATENCIES),
                JsonText.read(row.business, BUSINESS), row.newErrorLines);
    }

    /** The pre-deploy baseline: every BASELINE window of the release, added up. */
    private static Window baseline(List<MetricWindowEntity> rows) {
        long requests = 0;
        long errors = 0;
        long seconds = 0;
        List<Double> latencies = new ArrayList<>();
        Map<String, Double> business = new HashMap<>();
        for (MetricWindowEntity row : rows) {
            requests += row.requestCount;
            errors += row.errorCount;
            seconds += Math.max(1, Duration.between(row.windowStart, row.windowEnd).toSeconds());
            for (double latency : JsonText.read(row.latencies, LATENCIES)) {
                latencies.add(latency);
            }
            business.putAll(JsonText.read(row.business, BUSINESS));
        }
        return Window.of(Duration.ofSeconds(seconds), requests, errors, latencies.stream().mapToDouble(Double::doubleValue).toArray(),
                business, 0);
    }

    private static Uni<Void> store(MetricSample sample, WatchedDeploymentEntity watched) {
        MetricWindowEntity window = new MetricWindowEntity();
        window.eventId = sample.getEventId();
        window.releaseId = sample.getReleaseId();
        window.deploymentId = watched == null ? null : watched.deploymentId;
        window.service = sample.getService();
        window.cohort = sample.getCohort().name();
        window.environment = sample.getEnvironment().name();
        window.requestCount = sample.getRequestCount();
        window.errorCount = sample.getErrorCount();
        window.windowStart = sample.getWindowStart();
        window.windowEnd = sample.getWindowEnd();
        window.latencies = JsonText.write(sample.getLatencyMillis());
        window.business = JsonText.write(sample.getBusinessMetrics());
        window.newErrorLines = sample.getNewErrorLogLines();
        return window.persist().replaceWithVoid();
    }

    private static void validate(MetricSample sample) {
        if (sample.getCohort() == Cohort.UNKNOWN || sample.getEnvironment() == io.deploystage.events.Environment.UNKNOWN) {
            throw new RejectedEvent("cohort or environment holds a value this version does not know");
        }
        if (sample.getRequestCount() < 0 || sample.getErrorCount() < 0 || sample.getErrorCount() > sample.getRequestCount()) {
            throw new RejectedEvent("counts must satisfy 0 <= errorCount <= requestCount");
        }
        if (sample.getWindowEnd().isBefore(sample.getWindowStart())) {
            throw new RejectedEvent("windowEnd is before windowStart");
        }
        if (sample.getLatencyMillis().size() > 100_000 || sample.getLatencyMillis().stream().anyMatch(l -> l == null || l.isNaN() || l < 0)) {
            throw new RejectedEvent("latencyMillis must hold at most 100,000 non-negative numbers");
        }
    }
}
