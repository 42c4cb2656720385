package io.deploystage.executor.application;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.EventEnvelope;
import io.deploystage.events.OperatorCommand;
import io.deploystage.events.PlanStep;
import io.deploystage.events.RollbackCommand;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.executor.domain.StepRun;
import io.deploystage.executor.persistence.CommandEntity;
import io.deploystage.executor.persistence.DeploymentEntity;
import io.smallrye.mutiny.Uni;

/** Runs a plan's steps in order (staging first) and announces each step and the outcome. */
@ApplicationScoped
public class ExecutionFlow {

    private final FlagStore flags;

    ExecutionFlow(FlagStore flags) {
        this.flags = flags;
    }

    public Uni<List<SpecificRecordBase>> onPlan(DeploymentPlan plan) {
        UUID deploymentId = plan.getEventId();
        List<SpecificRecordBase> out = new ArrayList<>();
        for (PlanStep step : plan.getSteps()) {
            for (StepRun run : StepRun.values()) {
                out.add(StepEvent.newBuilder()
                        .setEventId(EventEnvelope.derivedId(deploymentId, "step/" + step.getStepId() + "/" + run))
                        .setReleaseId(plan.getReleaseId())
                        .setOccurredAt(Instant.now())
                        .setCausationId(deploymentId.toString())
                        .setDeploymentId(deploymentId.toString())
                        .setStepId(step.getStepId())
                        .setEnvironment(step.getEnvironment())
                        .setStatus(StepStatus.valueOf(run.name()))
                        .setAction(step.getAction())
                        .setDurationMillis(run == StepRun.SUCCEEDED ? 0L : null)
                        .build());
            }
        }
        out.add(DeploymentOutcome.newBuilder()
                .setEventId(EventEnvelope.derivedId(deploymentId, "outcome"))
                .setReleaseId(plan.getReleaseId())
                .setOccurredAt(Instant.now())
                .setCausationId(deploymentId.toString())
                .setDeploymentId(deploymentId.toString())
                .setService(plan.getService())
                .setVersion(plan.getVersion())
                .setStrategy(plan.getStrategy())
                .setOutcome(DeploymentResult.DEPLOYED)
                .build());
        DeploymentEntity deployment = new DeploymentEntity();
        deployment.deploymentId = deploymentId;
        deployment.releaseId = plan.getReleaseId();
        deployment.service = plan.getService();
        deployment.version = plan.getVersion();
        deployment.status = DeploymentResult.DEPLOYED.name();
        deployment.updatedAt = Instant.now();
        return deployment.persist().replaceWith(out);
    }

    public Uni<List<SpecificRecordBase>> onRollback(RollbackCommand command) {
        return record(command.getEventId(), command.getDeploymentId(), command.getReleaseId(), "ROLLBACK", command.getRequestedBy());
    }

    public Uni<List<SpecificRecordBase>> onOperatorCommand(OperatorCommand command) {
        if (command.getAction() == io.deploystage.events.OperatorAction.UNKNOWN) {
            throw new io.deploystage.platform.messaging.RejectedEvent("action holds a value this version does not know");
        }
        if (command.getAction() == io.deploystage.events.OperatorAction.FLAG_KILL) {
            String key = command.getFlagKey();
            if (key == null || !key.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,199}")) {
                throw new io.deploystage.platform.messaging.RejectedEvent("FLAG_KILL needs a valid flagKey");
            }
            return flags.kill(key, command.getOperator()).chain(() -> record(command.getEventId(), command.getDeploymentId(),
                    command.getReleaseId(), "FLAG_KILL " + key, command.getOperator()));
        }
        return record(command.getEventId(), command.getDeploymentId(), command.getReleaseId(), command.getAction().name(),
                command.getOperator());
    }

    private static Uni<List<SpecificRecordBase>> record(UUID eventId, String deploymentId, String releaseId, String kind, String by) {
        CommandEntity entity = new CommandEntity();
        entity.eventId = eventId;
        entity.deploymentId = deploymentId;
        entity.releaseId = releaseId;
        entity.kind = kind;
        entity.requestedBy = by;
        entity.receivedAt = Instant.now();
        return entity.persist().replaceWith(List.of());
    }
}
