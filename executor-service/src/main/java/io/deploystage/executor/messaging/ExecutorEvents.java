package io.deploystage.executor.messaging;

import java.time.Instant;
import java.util.UUID;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.EventEnvelope;
import io.deploystage.events.PlanStep;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.executor.domain.Phase;
import io.deploystage.platform.domain.Texts;

/**
 * The events the executor announces. Their ids derive from what they announce (deployment, phase, step, status, run),
 * so announcing the same fact twice yields one event.
 */
public final class ExecutorEvents {

    private static final int MAX_DETAIL = 2000;

    private ExecutorEvents() {
    }

    public static StepEvent step(DeploymentPlan plan, Phase phase, PlanStep step, StepStatus status, int run, String detail, Long durationMillis) {
        UUID deploymentId = plan.getEventId();
        return StepEvent.newBuilder()
                .setEventId(EventEnvelope.derivedId(deploymentId, phase + "/" + step.getStepId() + "/" + status + "/" + run))
                .setReleaseId(plan.getReleaseId())
                .setOccurredAt(Instant.now())
                .setCausationId(deploymentId.toString())
                .setDeploymentId(deploymentId.toString())
                .setStepId(step.getStepId())
                .setEnvironment(step.getEnvironment())
                .setStatus(status)
                .setAction(step.getAction())
                .setDetail(detail == null ? null : Texts.fit(detail, MAX_DETAIL, Texts.ELLIPSIS))
                .setDurationMillis(durationMillis)
                .setInstance(step.getKind() == io.deploystage.events.StepKind.COMMAND ? step.getInstance() : null)
                .setRollback(phase == Phase.ROLLBACK)
                // an interrupted rollback step leaves production on either version: whoever reads this must reach a human
                .setEscalationContact(status == StepStatus.INTERRUPTED && phase == Phase.ROLLBACK ? plan.getEscalationContact() : null)
                .build();
    }

    public static DeploymentOutcome outcome(DeploymentPlan plan, DeploymentResult result, String reason) {
        UUID deploymentId = plan.getEventId();
        return DeploymentOutcome.newBuilder()
                .setEventId(EventEnvelope.derivedId(deploymentId, "outcome/" + result))
                .setReleaseId(plan.getReleaseId())
                .setOccurredAt(Instant.now())
                .setCausationId(deploymentId.toString())
                .setDeploymentId(deploymentId.toString())
                .setService(plan.getService())
                .setVersion(plan.getVersion())
                .setStrategy(plan.getStrategy())
                .setOutcome(result)
                .setReason(reason == null ? null : Texts.fit(reason, MAX_DETAIL, Texts.ELLIPSIS))
                .setEscalationContact(plan.getEscalationContact())
                .build();
    }
}
