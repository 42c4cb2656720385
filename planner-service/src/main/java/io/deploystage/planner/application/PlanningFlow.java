package io.deploystage.planner.application;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.Environment;
import io.deploystage.events.EventEnvelope;
import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.PlanStep;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.events.RiskLevel;
import io.deploystage.events.StepKind;
import io.deploystage.events.Strategy;
import io.deploystage.planner.domain.PlanDraft;
import io.deploystage.planner.persistence.CandidateEntity;
import io.deploystage.planner.persistence.PlanEntity;
import io.smallrye.mutiny.Uni;

/** Turns a CLEARED gate decision into one DeploymentPlan per release. */
@ApplicationScoped
public class PlanningFlow {

    public Uni<List<SpecificRecordBase>> onReleaseCandidate(ReleaseCandidate candidate) {
        CandidateEntity entity = new CandidateEntity();
        entity.releaseId = candidate.getReleaseId();
        entity.service = candidate.getService();
        entity.version = candidate.getVersion();
        entity.commitSha = candidate.getCommitSha();
        entity.receivedAt = Instant.now();
        return CandidateEntity.findById(entity.releaseId)
                .chain(existing -> existing != null ? Uni.createFrom().voidItem() : entity.persist().replaceWithVoid())
                .replaceWith(List.of());
    }

    public Uni<List<SpecificRecordBase>> onGateDecision(GateDecision decision) {
        if (decision.getOutcome() != GateOutcome.CLEARED) {
            return Uni.createFrom().item(List.of());
        }
        return PlanEntity.count("releaseId", decision.getReleaseId()).map(existing -> {
            if (existing > 0) {
                return List.<SpecificRecordBase>of();
            }
            return List.<SpecificRecordBase>of(plan(decision));
        }).call(out -> out.isEmpty() ? Uni.createFrom().voidItem() : record((DeploymentPlan) out.get(0)));
    }

    private static Uni<Void> record(DeploymentPlan plan) {
        PlanEntity entity = new PlanEntity();
        entity.deploymentId = plan.getEventId();
        entity.releaseId = plan.getReleaseId();
        entity.service = plan.getService();
        entity.version = plan.getVersion();
        entity.strategy = plan.getStrategy().name();
        entity.createdAt = Instant.now();
        return entity.persist().replaceWithVoid();
    }

    private static DeploymentPlan plan(GateDecision decision) {
        PlanDraft draft = PlanDraft.forRelease(decision.getService(), decision.getVersion());
        UUID planId = EventEnvelope.derivedId(decision.getEventId(), "deployment-plan");
        List<PlanStep> steps = draft.steps().stream().map(s -> PlanStep.newBuilder()
                .setStepId(s.id())
                .setEnvironment(Environment.valueOf(s.environment()))
                .setKind(StepKind.COMMAND)
                .setAction(s.action())
                .setExpectedOutcome(s.expectedOutcome())
                .build()).toList();
        return DeploymentPlan.newBuilder()
                .setEventId(planId)
                .setReleaseId(decision.getReleaseId())
                .setOccurredAt(Instant.now())
                .setCausationId(decision.getEventId().toString())
                .setService(decision.getService())
                .setVersion(decision.getVersion())
                .setRisk(RiskLevel.MEDIUM)
                .setStrategy(Strategy.valueOf(draft.strategy()))
                .setRationale(draft.rationale())
                .setSteps(steps)
                .setDeploymentChecklist("# Deployment Checklist: " + decision.getService() + " " + decision.getVersion() + "\n\n(placeholder)\n")
                .setRollbackPlan("# Rollback Plan: " + decision.getService() + " " + decision.getVersion() + "\n\n(placeholder)\n")
                .build();
    }
}
