package io.deploystage.monitor.application;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;
import org.jboss.logging.Logger;


import io.deploystage.events.Cohort;
import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.MetricSample;
import io.deploystage.events.StepEvent;
import io.deploystage.monitor.config.MonitorConfig;
import io.deploystage.monitor.domain.Assessment;
import io.deploystage.monitor.domain.Verdict;
import io.deploystage.monitor.domain.HealthJudgement;
import io.deploystage.monitor.domain.Window;
import io.deploystage.monitor.messaging.MonitorEvents;
import io.deploystage.monitor.persistence.CohortWindowEntity;
import io.deploystage.monitor.persistence.WatchedDeploymentEntity;
import io.deploystage.platform.messaging.RejectedEvent;
import io.deploystage.platform.persistence.JsonText;
import io.smallrye.mutiny.Uni;

/**
 * Watches each planned deployment. MetricSamples add up, per release, environment and cohort, into the window state
 * kept in PostgreSQL; every window is judged against the plan's checks, the pre-deploy baseline of its environment
 * (the BASELINE cohort) and, for a canary, the stable cohort. A verdict per check and window is announced, and the
 * deployment's one RollbackCommand as soon as a check fails, while the deployment runs and through the stabilization
 * window after DEPLOYED.
 *
 * <p>Why PostgreSQL and not Kafka Streams state stores: the verdicts and the rollback leave through the outbox, so
 * the window state, the samples' eventIds (the inbox's processed events) and what is announced commit in one local
 * transaction, with no second
 * store to keep consistent; another instance that takes over a partition reads the same rows, and the service runs
 * on the database it already has.
 */
@ApplicationScoped
public class MonitoringFlow {

    private static final Logger LOG = Logger.getLogger(MonitoringFlow.class);
    private static final String BASELINE = Cohort.BASELINE.name();
    /** How long a deploy step that started may take before its warm-up is over regardless (its end sets the warm-up). */
    private static final java.time.Duration DEPLOYING = java.time.Duration.ofMinutes(10);

    private final MonitorConfig config;

    MonitoringFlow(MonitorConfig config) {
        this.config = config;
    }

    /** Starts watching a deployment, and judges the windows measured before its plan arrived. */
    public Uni<List<SpecificRecordBase>> onPlan(DeploymentPlan plan) {
        WatchedDeploymentEntity watched = new WatchedDeploymentEntity();
        watched.deploymentId = plan.getEventId();
        watched.releaseId = plan.getReleaseId();
        watched.service = plan.getService();
        watched.setChecks(MonitorEvents.checks(plan));
        watched.metricQueries = JsonText.write(MonitorEvents.queries(plan));
        watched.version = plan.getVersion();
        watched.updatedAt = Instant.now();
        // until its first step event is read, an environment the plan deploys to counts as being deployed: samples and
        // step events travel on different topics, and a window measured across a restart must not be judged on latency
        // or throughput because the step that explains it is read a moment later
        plan.getSteps().stream().filter(s -> s.getInstance() != null).map(s -> s.getEnvironment().name()).distinct()
                .forEach(environment -> watched.warmUntil(environment, plan.getOccurredAt().plus(UNTIL_FIRST_STEP)));
        return watched.persist()
                .chain(() -> CohortWindowEntity.<CohortWindowEntity>list("releaseId", plan.getReleaseId()))
                .map(rows -> {
                    Map<String, CohortWindowEntity> byKey = rows.stream().collect(Collectors.toMap(r -> r.windowKey, r -> r));
                    List<SpecificRecordBase> out = new ArrayList<>();
                    Instant now = Instant.now();
                    for (CohortWindowEntity row : rows) {
                        if (!row.cohort.equals(BASELINE) && row.pendingCause != null) {
                            out.addAll(judge(row, byKey, watched, now, true));
                        }
                    }
                    return out;
                });
    }

    /** DEPLOYED opens the stabilization window; any other end of the deployment ends the watch. */
    public Uni<List<SpecificRecordBase>> onOutcome(DeploymentOutcome outcome) {
        UUID deploymentId = deploymentId(outcome.getDeploymentId());
        return WatchedDeploymentEntity.<WatchedDeploymentEntity>findById(deploymentId).map(watched -> {
            if (watched != null) {
                if (outcome.getOutcome() == DeploymentResult.DEPLOYED) {
                    watched.watchUntil = outcome.getOccurredAt().plus(config.stabilization());
                    LOG.infof("Release %s: DEPLOYED; watched until %s (stabilization %s)", watched.releaseId, watched.watchUntil,
                            config.stabilization());
                } else {
                    watched.ended = true;
                    LOG.infof("Release %s: %s; no longer watched", watched.releaseId, outcome.getOutcome());
                }
                watched.updatedAt = Instant.now();
            }
            return List.<SpecificRecordBase>of();
        });
    }

    /**
     * Records where the deployment's steps have been. When a deployment first starts a production step, the older
     * deployments of its service that reached production are no longer watched: production now runs the newer one, and
     * a rollback of an older one would put production back under it.
     */
    public Uni<List<SpecificRecordBase>> onStepEvent(StepEvent step) {
        return WatchedDeploymentEntity.<WatchedDeploymentEntity>findById(deploymentId(step.getDeploymentId()))
                .chain(watched -> {
                    if (watched == null) {
                        return Uni.createFrom().item(List.<SpecificRecordBase>of());
                    }
                    watched.lastStep = step.getStepId() + " " + step.getStatus();
                    watched.updatedAt = Instant.now();
                    // a skipped step, or one waiting for the deployment window, did not touch its environment
                    boolean ran = step.getStatus() != io.deploystage.events.StepStatus.SKIPPED && step.getStatus() != io.deploystage.events.StepStatus.WAITING;
                    if (step.getInstance() != null && ran) {
                        // while a version is put on an instance, and for the warm-up after, latency and throughput are not judged
                        // an interrupted step may have left the instance half-way: judged as one being deployed
                        boolean running = step.getStatus() == io.deploystage.events.StepStatus.STARTED
                                || step.getStatus() == io.deploystage.events.StepStatus.INTERRUPTED;
                        Instant until = step.getOccurredAt().plus(running ? DEPLOYING : config.warmUp());
                        watched.warmUntil(step.getEnvironment().name(), until);
                        LOG.infof("Release %s: %s %s; %s warms up until %s", watched.releaseId, step.getInstance(),
                                running ? "is being deployed" : "was deployed", step.getEnvironment(), until);
                    }
                    String environment = step.getEnvironment().name();
                    if (step.getEnvironment() == io.deploystage.events.Environment.UNKNOWN || watched.touched(environment) || !ran) {
                        return Uni.createFrom().item(List.<SpecificRecordBase>of());
                    }
                    watched.touched = watched.touched.isEmpty() ? environment : watched.touched + "," + environment;
                    if (step.getEnvironment() != io.deploystage.events.Environment.PRODUCTION) {
                        return Uni.createFrom().item(List.<SpecificRecordBase>of());
                    }
                    return WatchedDeploymentEntity.<WatchedDeploymentEntity>list("service = ?1 and deploymentId <> ?2 and ended = false",
                            watched.service, watched.deploymentId).map(others -> {
                                others.stream().filter(o -> o.touched("PRODUCTION")).forEach(older -> {
                                    older.ended = true;
                                    older.updatedAt = Instant.now();
                                    LOG.infof("Release %s: superseded in production by %s (deployment %s); no longer watched", older.releaseId,
                                            watched.releaseId, watched.deploymentId);
                                });
                                return List.<SpecificRecordBase>of();
                            });
                });
    }

    /**
     * Adds a polled batch of new samples (the inbox has locked their releases and skipped those it processed before)
     * to the window state, and judges each window that changed. Returns the events to announce.
     */
    public Uni<List<SpecificRecordBase>> onSamples(List<MetricSample> samples) {
        List<String> releases = samples.stream().map(MetricSample::getReleaseId).distinct().toList();
        return CohortWindowEntity.<CohortWindowEntity>list("releaseId in ?1", releases)
                .chain(rows -> WatchedDeploymentEntity.<WatchedDeploymentEntity>list("releaseId in ?1 and ended = false order by updatedAt",
                                releases)
                        .chain(watches -> {
                            Map<String, WatchedDeploymentEntity> watchOf = new HashMap<>();
                            watches.forEach(w -> watchOf.put(w.releaseId, w));
                            Map<String, CohortWindowEntity> byKey = new HashMap<>();
                            rows.forEach(r -> byKey.put(r.windowKey, r));
                            List<CohortWindowEntity> created = new ArrayList<>();
                            warmUp(samples, watchOf);
                            Map<String, List<MetricSample>> added = add(samples, byKey, created, config.sources().baselineWindow());
                            Instant now = Instant.now();
                            List<SpecificRecordBase> out = new ArrayList<>();
                            added.forEach((key, cohortSamples) -> {
                                CohortWindowEntity row = byKey.get(key);
                                WatchedDeploymentEntity watched = watchOf.get(row.releaseId);
                                // watched when measured: a backlog read late is still judged within the stabilization window
                                Instant measured = cohortSamples.stream().map(MetricSample::getWindowEnd).max(Instant::compareTo).orElse(now);
                                if (!row.cohort.equals(BASELINE) && watched != null && watched.watching(measured)) {
                                    out.addAll(judge(row, byKey, watched, now, false));
                                }
                            });
                            return (created.isEmpty() ? Uni.createFrom().voidItem() : CohortWindowEntity.persist(created)).replaceWith(out);
                        }));
    }

    /**
     * The assessments as the verdicts say them. While the environment warms up after a deploy (the window began before
     * it was over), latency and throughput are not judged: the deploy itself restarted the instance and moved its
     * traffic. A comparison with less baseline than the configured window says so.
     */
    private List<Assessment> said(List<Assessment> assessments, Window window, Window baseline, Instant warmUntil) {
        boolean warming = warmUntil != null && window.start() != null && window.start().isBefore(warmUntil);
        java.time.Duration wanted = config.sources().baselineWindow();
        String shortBaseline = baseline == null || baseline.length().compareTo(wanted) >= 0 ? ""
                : " (baseline: " + baseline.length().toSeconds() + " s of pre-deploy traffic, less than the " + wanted.toMinutes() + " min wanted)";
        List<Assessment> said = new ArrayList<>();
        for (Assessment a : assessments) {
            boolean latency = a.metric().name().startsWith("LATENCY") && a.samples() == 0;
            if (warming && (latency || a.metric() == io.deploystage.monitor.domain.Metric.THROUGHPUT)) {
                said.add(new Assessment(a.check(), a.metric(), Verdict.INCONCLUSIVE, null, null, a.threshold(), a.samples(),
                        "warming up after a deploy until " + warmUntil + ": " + (latency ? "latency" : "throughput") + " not judged yet"));
            } else if (a.baseline() != null && !shortBaseline.isEmpty()) {
                said.add(new Assessment(a.check(), a.metric(), a.verdict(), a.value(), a.baseline(), a.threshold(), a.samples(),
                        a.reason() + shortBaseline));
            } else {
                said.add(a);
            }
        }
        return said;
    }

    /**
     * Latencies measured while an environment warms up after a deploy are not judged: they are taken out of the samples
     * (requests, errors and the rest still count).
     */
    private static void warmUp(List<MetricSample> samples, Map<String, WatchedDeploymentEntity> watchOf) {
        for (MetricSample sample : samples) {
            WatchedDeploymentEntity watched = watchOf.get(sample.getReleaseId());
            Instant until = watched == null ? null : watched.warmUntil(sample.getEnvironment().name());
            if (until != null && sample.getWindowStart().isBefore(until) && sample.getCohort() != io.deploystage.events.Cohort.BASELINE) {
                sample.setLatencyMillis(List.of());
                sample.setLatencyP50(null);
                sample.setLatencyP95(null);
                sample.setLatencyP99(null);
            }
        }
    }

    /** Adds the samples to their cohorts' windows (rows created as needed); returns the samples by the window they changed. */
    private static Map<String, List<MetricSample>> add(List<MetricSample> samples, Map<String, CohortWindowEntity> byKey,
            List<CohortWindowEntity> created, java.time.Duration baselineWindow) {
        Map<String, List<MetricSample>> added = new LinkedHashMap<>();
        Instant now = Instant.now();
        for (MetricSample sample : samples) {
            String key = CohortWindowEntity.key(sample.getReleaseId(), sample.getEnvironment().name(), sample.getCohort().name());
            CohortWindowEntity row = byKey.computeIfAbsent(key, k -> {
                CohortWindowEntity fresh = CohortWindowEntity.create(sample.getReleaseId(), sample.getService(),
                        sample.getEnvironment().name(), sample.getCohort().name());
                created.add(fresh);
                return fresh;
            });
            added.computeIfAbsent(key, k -> new ArrayList<>()).add(sample);
            row.samples++;
            row.pendingCause = sample.getEventId();
            row.updatedAt = now;
        }
        added.forEach((key, cohortSamples) -> {
            CohortWindowEntity row = byKey.get(key);
            if (row.cohort.equals(BASELINE)) {
                Map<Instant, Window> measured = new LinkedHashMap<>();
                cohortSamples.forEach(sample -> measured.merge(sample.getWindowEnd(), MonitorEvents.window(List.of(sample)), Window::plus));
                row.addToBaseline(measured, baselineWindow);
                return;
            }
            Window window = MonitorEvents.window(cohortSamples);
            row.setTotal(row.total().plus(window));
            row.setPending(row.pending().plus(window));
        });
        return added;
    }

    /**
     * Judges the pending window of a cohort. Its verdicts are announced at once when a check fails and the rollback is
     * still to be ordered, or when {@code force} is set, else at most once per verdict interval; announcing starts a new
     * pending window.
     */
    private List<SpecificRecordBase> judge(CohortWindowEntity row, Map<String, CohortWindowEntity> byKey, WatchedDeploymentEntity watched,
            Instant now, boolean force) {
        CohortWindowEntity baselineRow = byKey.get(CohortWindowEntity.key(row.releaseId, row.environment, BASELINE));
        CohortWindowEntity stableRow = byKey.get(CohortWindowEntity.key(row.releaseId, row.environment, Cohort.STABLE.name()));
        boolean canary = row.cohort.equals(Cohort.CANARY.name());
        Window baselineWindow = baselineRow == null ? null : baselineRow.total();
        CohortWindowEntity canaryRow = byKey.get(CohortWindowEntity.key(row.releaseId, row.environment, Cohort.CANARY.name()));
        // the traffic is split when both the canary and the stable cohort have been measured: throughput is the environment's
        Window environment = canaryRow != null && stableRow != null ? canaryRow.total().alongside(stableRow.total()) : null;
        List<Assessment> assessments = said(HealthJudgement.judge(watched.checkList(), row.pending(), baselineWindow, canary ? row.total() : null,
                canary && stableRow != null ? stableRow.total() : null, environment, config.canaryConfidence()), row.pending(), baselineWindow,
                watched.warmUntil(row.environment));
        List<Assessment> breaches = HealthJudgement.breaches(assessments);
        boolean urgent = !breaches.isEmpty() && !watched.rollbackOrdered;
        boolean due = force || (row.lastVerdictAt == null || !now.isBefore(row.lastVerdictAt.plus(config.verdictIntervalFor(row.service))))
                && HealthJudgement.ready(watched.checkList(), row.pending(), config.longestWindow());
        if (!urgent && !due) {
            return List.of();
        }
        List<SpecificRecordBase> out = new ArrayList<>();
        MonitorEvents.Judged judged = new MonitorEvents.Judged(row.environment, row.cohort, row.pending(),
                baselineWindow == null ? null : baselineWindow.length().toSeconds());
        for (Assessment assessment : assessments) {
            out.add(MonitorEvents.verdict(row.pendingCause, row.samples, row.releaseId, watched.deploymentId, judged, assessment));
        }
        row.setPending(Window.empty());
        row.lastVerdictAt = now;
        if (!breaches.isEmpty() && !watched.rollbackOrdered) {
            watched.rollbackOrdered = true;
            watched.updatedAt = now;
            out.add(MonitorEvents.rollback(row.pendingCause, row.releaseId, watched.deploymentId, breaches));
            LOG.warnf("Release %s: rollback ordered (%s %s%s): %s", row.releaseId, row.environment, row.cohort,
                    watched.watchUntil == null ? "" : ", in the stabilization window", breaches.get(0).reason());
        }
        return out;
    }

    private static UUID deploymentId(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new RejectedEvent("deploymentId is not a UUID");
        }
    }

    /** How long an environment counts as being deployed when the plan arrives, until one of its step events says more. */
    private static final java.time.Duration UNTIL_FIRST_STEP = java.time.Duration.ofHours(24);

    /** Throws {@link RejectedEvent} for a sample that cannot be judged: it is dead-lettered with the reason. */
    public static void validate(MetricSample sample) {
        if (sample.getCohort() == Cohort.UNKNOWN || sample.getEnvironment() == io.deploystage.events.Environment.UNKNOWN) {
            throw new RejectedEvent("cohort or environment holds a value this version does not know");
        }
        if (sample.getRequestCount() < 0 || sample.getErrorCount() < 0 || sample.getErrorCount() > sample.getRequestCount()) {
            throw new RejectedEvent("counts must satisfy 0 <= errorCount <= requestCount");
        }
        if (sample.getWindowEnd().isBefore(sample.getWindowStart())) {
            throw new RejectedEvent("windowEnd is before windowStart");
        }
        if (sample.getReleaseId().length() > 200 || sample.getService().length() > 255) {
            throw new RejectedEvent("releaseId or service is too long");
        }
        if (sample.getLatencyMillis().size() > 100_000 || sample.getLatencyMillis().stream().anyMatch(l -> l == null || l.isNaN() || l < 0
                || l > 3_600_000)) {
            throw new RejectedEvent("latencyMillis must hold at most 100,000 numbers from 0 to 3,600,000 ms");
        }
        if (sample.getBusinessMetrics().values().stream().anyMatch(v -> v == null || v.isNaN() || v.isInfinite())) {
            throw new RejectedEvent("businessMetrics must be finite numbers");
        }
    }
}
