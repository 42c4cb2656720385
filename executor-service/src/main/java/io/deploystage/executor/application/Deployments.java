package io.deploystage.executor.application;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;
import org.jboss.logging.Logger;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.PlanStep;
import io.deploystage.events.StepStatus;
import io.deploystage.executor.domain.DeploymentState;
import io.deploystage.executor.config.ExecutorConfig;
import io.deploystage.executor.domain.Phase;
import io.deploystage.executor.domain.StepLifecycle;
import io.deploystage.executor.persistence.ServiceColourEntity;
import io.deploystage.executor.messaging.ExecutorEvents;
import io.deploystage.executor.persistence.DeploymentEntity;
import io.deploystage.executor.persistence.StepEntity;
import io.deploystage.platform.persistence.ReleaseLock;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * The state changes of a deployment, shared by the event handlers, the REST API and the engine. Every method runs
 * inside a transaction that holds the release's lock, and returns the events announcing the change (to be staged in
 * the outbox of the same transaction).
 */
@ApplicationScoped
public class Deployments {

    private static final Logger LOG = Logger.getLogger(Deployments.class);

    private final RunningSteps running;
    private final ExecutorConfig config;

    Deployments(RunningSteps running, ExecutorConfig config) {
        this.running = running;
        this.config = config;
    }

    /** The deployment, read after its release is locked for this transaction; null when unknown. */
    public static Uni<DeploymentEntity> locked(UUID deploymentId) {
        return Panache.getSession().chain(session -> session.createSelectionQuery(
                        "select releaseId from DeploymentEntity where deploymentId = :id", String.class)
                .setParameter("id", deploymentId).getSingleResultOrNull())
                .chain(releaseId -> releaseId == null ? Uni.createFrom().nullItem()
                        : ReleaseLock.lock(releaseId).chain(() -> DeploymentEntity.<DeploymentEntity>findById(deploymentId)));
    }

    public static DeploymentPlan plan(DeploymentEntity deployment) {
        // read with the schema it was written with (rows from before it was kept: this version's), resolved to this version's
        return (DeploymentPlan) io.deploystage.platform.outbox.Outbox.read("the plan of deployment " + deployment.deploymentId,
                DeploymentPlan.class.getName(), deployment.planSchema, deployment.plan);
    }

    public static List<PlanStep> steps(DeploymentPlan plan, Phase phase) {
        return phase == Phase.FORWARD ? plan.getSteps() : plan.getRollbackProcedure();
    }

    /**
     * Stops the forward steps (the waiting one at once) and starts the plan's rollback procedure; if production has not
     * been touched yet (the rollback was ordered during staging), there is nothing to roll back: the deployment stops
     * FAILED instead.
     */
    public Uni<List<SpecificRecordBase>> startRollback(DeploymentEntity deployment, String reason) {
        if (deployment.state == DeploymentState.DEPLOYED || deployment.state == DeploymentState.ABORTED) {
            return rollback(deployment, reason);
        }
        DeploymentPlan plan = plan(deployment);
        return StepEntity.<StepEntity>list("deploymentId", deployment.deploymentId).chain(rows -> StepLifecycle.touchedProduction(
                lifecycle(plan.getSteps()), rows(rows)) ? rollback(deployment, reason)
                        : stop(deployment, DeploymentState.FAILED, "rollback ordered before production was touched (" + reason
                                + "); production was not touched"));
    }

    private Uni<List<SpecificRecordBase>> rollback(DeploymentEntity deployment, String reason) {
        DeploymentPlan plan = plan(deployment);
        LOG.warnf("Release %s: deployment %s ROLLING BACK: %s", deployment.releaseId, deployment.deploymentId, reason);
        Uni<List<SpecificRecordBase>> skipped = deployment.phase == Phase.FORWARD && !deployment.state.finished()
                ? skipRemaining(deployment, plan, "stopped: rollback ordered (" + reason + ")").map(Stopped::events)
                : Uni.createFrom().item(new ArrayList<>());
        return skipped.call(() -> DeploymentSignals.moved(deployment.deploymentId)).invoke(() -> {
            deployment.phase = Phase.ROLLBACK;
            deployment.nextStep = 0;
            deployment.state = DeploymentState.ROLLING_BACK;
            deployment.pauseRequested = false;
            deployment.reason = reason;
            deployment.updatedAt = Instant.now();
            running.cancel(deployment.deploymentId);
        });
    }

    /**
     * Ends the deployment without running anything more: FAILED (a staging failure) or ABORTED. An abort says which
     * version each instance is left with; a rollback can still restore them.
     */
    public Uni<List<SpecificRecordBase>> stop(DeploymentEntity deployment, DeploymentState state, String reason) {
        DeploymentPlan plan = plan(deployment);
        LOG.warnf("Release %s: deployment %s %s: %s", deployment.releaseId, deployment.deploymentId, state, reason);
        return skipRemaining(deployment, plan, "not run: " + reason).call(() -> DeploymentSignals.moved(deployment.deploymentId)).map(stopped -> {
            running.cancel(deployment.deploymentId);
            List<StepLifecycle.Step> forward = lifecycle(plan.getSteps());
            String why = reason;
            if (state == DeploymentState.ABORTED && StepLifecycle.touchedProduction(forward, stopped.rows())) {
                why = reason + "; left as is: " + StepLifecycle.describe(StepLifecycle.instances(forward, lifecycle(plan.getRollbackProcedure()),
                        stopped.rows()), plan.getVersion()) + " (a rollback restores them)";
            }
            stopped.events().add(finish(deployment, plan, state, why));
            return stopped.events();
        });
    }

    /** Marks the deployment ended and returns its outcome event. */
    public static DeploymentOutcome finish(DeploymentEntity deployment, DeploymentPlan plan, DeploymentState state, String reason) {
        deployment.state = state;
        deployment.reason = reason;
        deployment.pauseRequested = false;
        deployment.updatedAt = Instant.now();
        LOG.infof("Release %s: deployment %s of %s %s ended %s%s", deployment.releaseId, deployment.deploymentId, deployment.service,
                deployment.version, state, reason == null ? "" : ": " + reason);
        return ExecutorEvents.outcome(plan, DeploymentResult.valueOf(state.name()), reason);
    }

    /** Continues a paused deployment: an inconclusive health step counts as passed by the operator's decision. */
    public Uni<List<SpecificRecordBase>> resume(DeploymentEntity deployment, String operator) {
        DeploymentPlan plan = plan(deployment);
        List<SpecificRecordBase> events = new ArrayList<>();
        deployment.pauseRequested = false;
        if (deployment.state != DeploymentState.PAUSED) {
            return Uni.createFrom().item(events);
        }
        return StepEntity.<StepEntity>findById(new StepEntity.Key(deployment.deploymentId, deployment.phase, deployment.nextStep))
                .map(row -> {
                    if (row != null && StepEntity.AWAITING_OPERATOR.equals(row.status)) {
                        PlanStep step = steps(plan, deployment.phase).get(deployment.nextStep);
                        row.status = StepEntity.SUCCEEDED;
                        row.finishedAt = Instant.now();
                        row.detail = "continued by " + operator + " after: " + row.detail;
                        events.add(ExecutorEvents.step(plan, deployment.phase, step, StepStatus.SUCCEEDED, row.runs, row.detail,
                                row.finishedAt.toEpochMilli() - row.startedAt.toEpochMilli()));
                        deployment.nextStep++;
                    }
                    deployment.state = deployment.phase == Phase.FORWARD ? DeploymentState.RUNNING : DeploymentState.ROLLING_BACK;
                    deployment.reason = null;
                    deployment.updatedAt = Instant.now();
                    LOG.infof("Release %s: deployment %s resumed by %s", deployment.releaseId, deployment.deploymentId, operator);
                    return events;
                });
    }

    /** The events announcing skipped steps, and every step row as the lifecycle sees it afterwards. */
    private record Stopped(List<SpecificRecordBase> events, List<StepLifecycle.Row> rows) {
    }

    /**
     * Every forward step from the current one that has not finished is marked SKIPPED, and announced; one that was
     * running is recorded STOPPED (it may have changed something, so a rollback undoes it).
     */
    private static Uni<Stopped> skipRemaining(DeploymentEntity deployment, DeploymentPlan plan, String detail) {
        List<PlanStep> steps = steps(plan, Phase.FORWARD);
        return StepEntity.<StepEntity>list("deploymentId", deployment.deploymentId).chain(all -> {
            List<StepEntity> rows = all.stream().filter(r -> r.phase == Phase.FORWARD).toList();
            Map<Integer, StepEntity> byIndex = rows.stream().collect(Collectors.toMap(r -> r.stepIndex, Function.identity()));
            List<SpecificRecordBase> events = new ArrayList<>();
            List<StepEntity> created = new ArrayList<>();
            Instant now = Instant.now();
            for (int i = deployment.nextStep; i < steps.size(); i++) {
                StepEntity row = byIndex.get(i);
                if (row != null && (StepEntity.SUCCEEDED.equals(row.status) || StepEntity.FAILED.equals(row.status)
                        || StepEntity.SKIPPED.equals(row.status) || StepEntity.STOPPED.equals(row.status))) {
                    continue;
                }
                if (row == null) {
                    row = newRow(deployment.deploymentId, Phase.FORWARD, i, steps.get(i), StepEntity.SKIPPED, now);
                    row.runs = 0;
                    row.startedAt = null;
                    created.add(row);
                    row.status = StepEntity.SKIPPED;
                } else {
                    row.status = StepEntity.STOPPED;
                }
                row.finishedAt = now;
                row.detail = detail;
                events.add(ExecutorEvents.step(plan, Phase.FORWARD, steps.get(i), StepStatus.SKIPPED, Math.max(row.runs, 1), detail, null));
            }
            List<StepEntity> after = new ArrayList<>(all);
            after.addAll(created);
            Stopped stopped = new Stopped(events, rows(after));
            return created.isEmpty() ? Uni.createFrom().item(stopped) : StepEntity.persist(created).replaceWith(stopped);
        });
    }

    /** The plan's steps as the lifecycle sees them. */
    public static List<StepLifecycle.Step> lifecycle(List<PlanStep> steps) {
        return steps.stream().map(s -> new StepLifecycle.Step(s.getStepId(), s.getEnvironment() == io.deploystage.events.Environment.PRODUCTION,
                s.getKind() == io.deploystage.events.StepKind.COMMAND, s.getInstance(), s.getColour(), s.getUndoes(), s.getIdempotent())).toList();
    }

    /** The step rows as the lifecycle sees them. */
    public static List<StepLifecycle.Row> rows(List<StepEntity> rows) {
        return rows.stream().map(r -> new StepLifecycle.Row(r.phase, r.stepIndex, r.stepId, StepLifecycle.Status.valueOf(r.status), r.runs)).toList();
    }

    /**
     * The colour that was live when the deployment started, for a plan with blue/green steps: read from the service's
     * record once, then kept on the deployment; null for other plans.
     */
    public Uni<String> liveColour(DeploymentEntity deployment, DeploymentPlan plan) {
        if (deployment.liveColour != null || plan.getSteps().stream().allMatch(s -> s.getColour() == null)) {
            return Uni.createFrom().item(deployment.liveColour);
        }
        return ServiceColourEntity.<ServiceColourEntity>findById(deployment.service).map(known -> {
            deployment.liveColour = known != null ? known.live : config.blueGreen().initialLive();
            LOG.infof("Release %s: %s is live for %s; deployment %s goes to the idle colour", deployment.releaseId, deployment.liveColour,
                    deployment.service, deployment.deploymentId);
            return deployment.liveColour;
        });
    }

    /** After a traffic step that sent all traffic to a colour: that colour is now live for the service. */
    public Uni<Void> switched(DeploymentEntity deployment, PlanStep step) {
        if (step.getKind() != io.deploystage.events.StepKind.TRAFFIC || step.getColour() == null || step.getTrafficPercent() == null
                || step.getTrafficPercent() != 100) {
            return Uni.createFrom().voidItem();
        }
        return Panache.getSession().chain(session -> session.createNativeQuery("insert into service_colour (service, live, deployment_id, updated_at)"
                + " values (?1, ?2, ?3, ?4) on conflict (service) do update set live = excluded.live, deployment_id = excluded.deployment_id,"
                + " updated_at = excluded.updated_at")
                .setParameter(1, deployment.service).setParameter(2, step.getColour()).setParameter(3, deployment.deploymentId)
                .setParameter(4, Instant.now()).executeUpdate())
                .invoke(() -> LOG.infof("Release %s: %s is now live for %s", deployment.releaseId, step.getColour(), deployment.service))
                .replaceWithVoid();
    }

    /**
     * A newer deployment of the same service that has started (is under way, or changed production): rolling this one
     * back would put production back under it. Null when there is none.
     */
    public static Uni<String> supersededBy(DeploymentEntity deployment) {
        return DeploymentEntity.<DeploymentEntity>find("from DeploymentEntity d where d.service = ?1 and d.createdAt > ?2 and d.deploymentId <> ?3"
                + " and (d.state in ?4 or exists (select 1 from StepEntity s where s.deploymentId = d.deploymentId and s.phase = ?5"
                + " and s.environment = 'PRODUCTION' and s.status <> 'SKIPPED')) order by d.createdAt desc", deployment.service, deployment.createdAt,
                deployment.deploymentId, DeploymentState.UNDER_WAY, Phase.FORWARD)
                .firstResult().map(newer -> newer == null ? null : "deployment " + newer.deploymentId + " of " + newer.service + " " + newer.version
                        + " (" + newer.state + ")");
    }

    static StepEntity newRow(UUID deploymentId, Phase phase, int index, PlanStep step, String status, Instant now) {
        StepEntity row = new StepEntity();
        row.deploymentId = deploymentId;
        row.phase = phase;
        row.stepIndex = index;
        row.stepId = step.getStepId();
        row.environment = step.getEnvironment().name();
        row.kind = step.getKind().name();
        row.status = status;
        row.runs = 1;
        row.startedAt = now;
        return row;
    }
}
