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

import io.deploystage.events.AvroBinary;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.PlanStep;
import io.deploystage.events.StepStatus;
import io.deploystage.executor.domain.DeploymentState;
import io.deploystage.executor.domain.Phase;
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

    Deployments(RunningSteps running) {
        this.running = running;
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
        return AvroBinary.decode(deployment.plan, DeploymentPlan.getClassSchema(), DeploymentPlan.class);
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
        if (deployment.state == DeploymentState.DEPLOYED) {
            return rollback(deployment, reason);
        }
        return StepEntity.count("deploymentId = ?1 and phase = ?2 and environment = 'PRODUCTION' and status <> 'SKIPPED'",
                deployment.deploymentId, Phase.FORWARD).chain(touched -> touched > 0 ? rollback(deployment, reason)
                        : stop(deployment, DeploymentState.FAILED, "rollback ordered before production was touched (" + reason
                                + "); production was not touched"));
    }

    private Uni<List<SpecificRecordBase>> rollback(DeploymentEntity deployment, String reason) {
        DeploymentPlan plan = plan(deployment);
        LOG.warnf("Release %s: deployment %s ROLLING BACK: %s", deployment.releaseId, deployment.deploymentId, reason);
        Uni<List<SpecificRecordBase>> skipped = deployment.phase == Phase.FORWARD && deployment.state != DeploymentState.DEPLOYED
                ? skipRemaining(deployment, plan, "stopped: rollback ordered (" + reason + ")")
                : Uni.createFrom().item(new ArrayList<>());
        return skipped.invoke(() -> {
            deployment.phase = Phase.ROLLBACK;
            deployment.nextStep = 0;
            deployment.state = DeploymentState.ROLLING_BACK;
            deployment.pauseRequested = false;
            deployment.reason = reason;
            deployment.updatedAt = Instant.now();
            running.cancel(deployment.deploymentId);
        });
    }

    /** Ends the deployment without running anything more: FAILED (a staging failure) or ABORTED. */
    public Uni<List<SpecificRecordBase>> stop(DeploymentEntity deployment, DeploymentState state, String reason) {
        DeploymentPlan plan = plan(deployment);
        LOG.warnf("Release %s: deployment %s %s: %s", deployment.releaseId, deployment.deploymentId, state, reason);
        return skipRemaining(deployment, plan, "not run: " + reason).map(events -> {
            running.cancel(deployment.deploymentId);
            events.add(finish(deployment, plan, state, reason));
            return events;
        });
    }

    /** Marks the deployment ended and returns its outcome event. */
    public static SpecificRecordBase finish(DeploymentEntity deployment, DeploymentPlan plan, DeploymentState state, String reason) {
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

    /** Every forward step from the current one that has not finished is marked SKIPPED, and announced. */
    private static Uni<List<SpecificRecordBase>> skipRemaining(DeploymentEntity deployment, DeploymentPlan plan, String detail) {
        List<PlanStep> steps = steps(plan, Phase.FORWARD);
        return StepEntity.<StepEntity>list("deploymentId = ?1 and phase = ?2", deployment.deploymentId, Phase.FORWARD).chain(rows -> {
            Map<Integer, StepEntity> byIndex = rows.stream().collect(Collectors.toMap(r -> r.stepIndex, Function.identity()));
            List<SpecificRecordBase> events = new ArrayList<>();
            List<StepEntity> created = new ArrayList<>();
            Instant now = Instant.now();
            for (int i = deployment.nextStep; i < steps.size(); i++) {
                StepEntity row = byIndex.get(i);
                if (row != null && (StepEntity.SUCCEEDED.equals(row.status) || StepEntity.FAILED.equals(row.status)
                        || StepEntity.SKIPPED.equals(row.status))) {
                    continue;
                }
                if (row == null) {
                    row = newRow(deployment.deploymentId, Phase.FORWARD, i, steps.get(i), StepEntity.SKIPPED, now);
                    row.runs = 0;
                    row.startedAt = null;
                    created.add(row);
                }
                row.status = StepEntity.SKIPPED;
                row.finishedAt = now;
                row.detail = detail;
                events.add(ExecutorEvents.step(plan, Phase.FORWARD, steps.get(i), StepStatus.SKIPPED, Math.max(row.runs, 1), detail, null));
            }
            return created.isEmpty() ? Uni.createFrom().item(events) : StepEntity.persist(created).replaceWith(events);
        });
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
