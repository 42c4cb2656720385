package io.deploystage.planner.messaging;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.deploystage.events.DeploymentArtifacts;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.GateDecision;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.planner.domain.ChangeProfile;
import io.deploystage.planner.domain.DbMigration;
import io.deploystage.planner.domain.HealthCheck;
import io.deploystage.planner.domain.Plan;
import io.deploystage.planner.domain.PlanStep;
import io.deploystage.platform.messaging.CalendarContract;
import io.deploystage.platform.messaging.RejectedEvent;

/** Avro contracts to the planner's domain and back, at the edge. */
public final class PlanEvents {

    private PlanEvents() {
    }

    public static ChangeProfile profile(ReleaseCandidate candidate) {
        var p = candidate.getChangeProfile();
        if (p.getDbMigration() == io.deploystage.events.DbMigration.UNKNOWN) {
            throw new RejectedEvent("changeProfile.dbMigration holds a value this version does not know");
        }
        return new ChangeProfile(DbMigration.valueOf(p.getDbMigration().name()), p.getMigrationReversible(), p.getInfrastructureChanges(),
                p.getUserFacing(), p.getFeatureFlags(), p.getHotfix(), p.getIncidentId(), p.getExternalApiChange(), p.getSendsNotifications());
    }

    /** Warnings the gates let through: reviews that passed with warnings and accepted findings. They raise the risk. */
    public static int gateWarnings(GateDecision decision) {
        return (int) decision.getReasons().stream()
                .filter(r -> r.getRule().equals("finding-accepted") || r.getMessage().contains("PASS_WITH_WARNINGS"))
                .count();
    }

    /** The plan as its event, with both artifacts rendered from it. */
    public static DeploymentPlan event(UUID planId, UUID cause, Plan plan) {
        DeploymentPlan event = DeploymentPlan.newBuilder()
                .setEventId(planId)
                .setReleaseId(plan.releaseId())
                .setOccurredAt(Instant.now())
                .setCausationId(cause.toString())
                .setService(plan.service())
                .setVersion(plan.version())
                .setRisk(io.deploystage.events.RiskLevel.valueOf(plan.risk().level().name()))
                .setStrategy(io.deploystage.events.Strategy.valueOf(plan.strategy().name()))
                .setRationale(plan.choice().rationale())
                .setSteps(plan.steps().stream().map(PlanEvents::step).toList())
                .setHealthChecks(plan.healthChecks().stream().map(PlanEvents::check).toList())
                .setMetricQueries(plan.metricQueries().entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .flatMap(e -> e.getValue().entrySet().stream().sorted(Map.Entry.comparingByKey())
                                .map(q -> io.deploystage.events.MetricQuery.newBuilder()
                                        .setEnvironment(io.deploystage.events.Environment.valueOf(e.getKey().name()))
                                        .setName(q.getKey()).setQuery(q.getValue()).build()))
                        .toList())
                .setRollbackTriggers(plan.rollbackTriggers())
                .setRollbackProcedure(plan.rollbackProcedure().stream().map(PlanEvents::step).toList())
                .setConstraints(plan.constraints())
                .setFlagRolloutStages(plan.flagStages())
                .setDeploymentChecklist("")
                .setRollbackPlan("")
                .setCommit(plan.commit())
                .setRequestedBy(plan.requestedBy())
                .setReviewer(plan.reviewer())
                .setEscalationContact(plan.escalationContact())
                .setTeamChannel(plan.teamChannel())
                .setDeploymentWindow(plan.window())
                .setRiskRationale(plan.risk().rationale())
                .setUserFacing(plan.userFacing())
                .setDatabaseMigration(plan.migration())
                .setSeniorApproval(plan.choice().seniorApproval())
                .setTrafficRevertMinutes(plan.trafficRevertMinutes())
                .setFullRollbackMinutes(plan.fullRollbackMinutes())
                .setEscalated(plan.heldForEscalation())
                .setHeldForEscalation(false)
                .setIncidentId(plan.incidentId())
                .setCalendar(plan.calendar().windows().isEmpty() && plan.calendar().freezes().isEmpty() ? null
                        : CalendarContract.toContract(plan.calendar()))
                .build();
        event.setDeploymentChecklist(DeploymentArtifacts.deploymentChecklist(event, DeploymentArtifacts.ChecklistRecord.pending()));
        event.setRollbackPlan(DeploymentArtifacts.rollbackPlan(event));
        return event;
    }

    private static io.deploystage.events.PlanStep step(PlanStep step) {
        return io.deploystage.events.PlanStep.newBuilder()
                .setStepId(step.id())
                .setEnvironment(io.deploystage.events.Environment.valueOf(step.environment().name()))
                .setKind(io.deploystage.events.StepKind.valueOf(step.kind().name()))
                .setAction(step.action())
                .setCommand(step.command())
                .setExpectedOutcome(step.expectedOutcome())
                .setTrafficPercent(step.trafficPercent())
                .setIdempotent(step.idempotent())
                .setFlagKey(step.flagKey())
                .setFlagInternal(step.flagInternal())
                .setTrafficTarget(step.trafficTarget())
                .setInstance(step.instance())
                .setColour(step.colour())
                .setUndoes(step.undoes())
                .setApproverRole(step.approverRole())
                .build();
    }

    private static io.deploystage.events.HealthCheck check(HealthCheck check) {
        return io.deploystage.events.HealthCheck.newBuilder()
                .setMetric(io.deploystage.events.MetricKind.valueOf(check.metric().name()))
                .setThreshold(check.threshold())
                .setMaxRelativeDegradation(check.maxRelativeDegradation())
                .setBusinessMetric(check.businessMetric())
                .setHigherIsBetter(check.higherIsBetter())
                .setMinSamples(check.minSamples())
                .build();
    }
}
