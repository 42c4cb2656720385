package io.deploystage.executor.application;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;
import org.jboss.logging.Logger;

import io.deploystage.events.AvroBinary;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.GateReason;
import io.deploystage.events.Environment;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.OperatorAction;
import io.deploystage.events.OperatorCommand;
import io.deploystage.events.PlanStep;
import io.deploystage.events.RollbackCommand;
import io.deploystage.events.StepKind;
import io.deploystage.executor.config.ExecutorConfig;
import io.deploystage.executor.domain.Approvals;
import io.deploystage.executor.domain.DeploymentState;
import io.deploystage.executor.domain.Phase;
import io.deploystage.executor.domain.StepLifecycle;
import io.deploystage.executor.domain.Transitions;
import io.deploystage.executor.domain.Transitions.Action;
import io.deploystage.executor.domain.Transitions.Decision;
import io.deploystage.executor.persistence.CommandEntity;
import io.deploystage.executor.persistence.DeploymentEntity;
import io.deploystage.executor.persistence.StepEntity;
import io.deploystage.executor.persistence.VerdictEntity;
import io.deploystage.platform.domain.Texts;
import io.deploystage.platform.messaging.CalendarContract;
import io.deploystage.platform.messaging.RejectedEvent;
import io.deploystage.platform.persistence.ReleaseLock;
import io.deploystage.platform.runtime.InOrder;
import io.smallrye.mutiny.Uni;

/**
 * The executor's event handlers (run by the inbox, inside its transaction): a plan becomes a deployment (or waits
 * for the one running for its service), rollback and operator commands change its course, and health verdicts are
 * kept for the steps that wait for them. The engine runs the steps.
 */
@ApplicationScoped
public class ExecutionFlow {

    private static final Logger LOG = Logger.getLogger(ExecutionFlow.class);

    private final FlagStore flags;
    private final Deployments deployments;
    private final ExecutorConfig config;

    ExecutionFlow(FlagStore flags, Deployments deployments, ExecutorConfig config) {
        this.flags = flags;
        this.deployments = deployments;
        this.config = config;
    }

    public Uni<List<SpecificRecordBase>> onPlan(DeploymentPlan plan) {
        String problem = problem(plan);
        if (problem != null) {
            throw new RejectedEvent("plan " + plan.getEventId() + " cannot be executed: " + problem);
        }
        // one deployment per service at a time: plans of different releases of a service serialise on this lock
        return ReleaseLock.lock("service:" + plan.getService())
                .chain(() -> DeploymentEntity.count("service = ?1 and state in ?2", plan.getService(), DeploymentState.ACTIVE))
                .chain(active -> {
                    DeploymentEntity deployment = new DeploymentEntity();
                    deployment.deploymentId = plan.getEventId();
                    deployment.releaseId = plan.getReleaseId();
                    deployment.service = plan.getService();
                    deployment.version = plan.getVersion();
                    deployment.strategy = plan.getStrategy().name();
                    deployment.plan = AvroBinary.encode(plan);
                    deployment.planSchema = plan.getSchema().toString();
                    deployment.phase = Phase.FORWARD;
                    deployment.createdAt = Instant.now();
                    deployment.updatedAt = deployment.createdAt;
                    deployment.state = active == 0 ? DeploymentState.RUNNING : DeploymentState.QUEUED;
                    List<SpecificRecordBase> out = new ArrayList<>();
                    if (active > 0 && config.concurrency() == ExecutorConfig.Concurrency.REFUSE) {
                        out.add(Deployments.finish(deployment, plan, DeploymentState.ABORTED,
                                "refused: another deployment of " + plan.getService() + " is in progress (policy REFUSE)"));
                    } else {
                        LOG.infof("Release %s: deployment %s of %s %s by %s, %d steps then %d rollback steps, %s", plan.getReleaseId(),
                                deployment.deploymentId, plan.getService(), plan.getVersion(), plan.getStrategy(), plan.getSteps().size(),
                                plan.getRollbackProcedure().size(), active == 0 ? "starting" : "QUEUED behind the running deployment");
                    }
                    return deployment.persist().replaceWith(out);
                });
    }

    /** Step kinds whose command is run as a process (traffic and flag steps with the command driver and provider). */
    private static final java.util.Set<StepKind> RUNS_ARGV = java.util.EnumSet.of(StepKind.COMMAND, StepKind.TRAFFIC, StepKind.FLAG);

    private static List<PlanStep> concat(List<PlanStep> a, List<PlanStep> b) {
        List<PlanStep> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Why a plan cannot run, or null: it must have steps, known kinds, safe commands, and put staging before production. */
    static String problem(DeploymentPlan plan) {
        if (plan.getHeldForEscalation()) {
            return "it is held for escalation";
        }
        try {
            CalendarContract.fromContract(plan.getCalendar());
        } catch (RuntimeException bad) {
            return "its deployment calendar is not valid: " + bad.getMessage();
        }
        // what runs as a process: no shell, interpreter or wrapper, whoever wrote the plan on the topic
        for (PlanStep step : concat(plan.getSteps(), plan.getRollbackProcedure())) {
            if (RUNS_ARGV.contains(step.getKind()) && !step.getCommand().isEmpty()) {
                List<String> refused = io.deploystage.platform.domain.CommandPolicy.problems("step " + step.getStepId(), step.getCommand());
                if (!refused.isEmpty()) {
                    return String.join("; ", refused);
                }
            }
        }
        if (plan.getSteps().isEmpty()) {
            return "it has no steps";
        }
        boolean production = false;
        boolean staging = false;
        for (PlanStep step : plan.getSteps()) {
            if (step.getKind() == StepKind.UNKNOWN || step.getEnvironment() == Environment.UNKNOWN) {
                return "step " + step.getStepId() + " has a kind or environment this version does not know";
            }
            if (step.getEnvironment() == Environment.PRODUCTION) {
                production = true;
            } else if (production) {
                return "staging step " + step.getStepId() + " comes after a production step (staging first, always)";
            } else {
                staging = true;
            }
        }
        return production && !staging ? "it goes to production without a staging step (staging first, always)" : null;
    }

    /**
     * The gate BLOCKED a release after clearing it (a Critical finding reported late, say): each of its deployments still
     * under way is rolled back, whatever it reached. The rollback procedure undoes only what ran, so a deployment still
     * in staging never touches production, and one that reached production returns it to the previous version. A
     * deployment that already ended is left to the humans the gate's notice reaches.
     */
    public Uni<List<SpecificRecordBase>> onGateDecision(GateDecision decision) {
        if (decision.getOutcome() != GateOutcome.BLOCKED) {
            return Uni.createFrom().item(List.of());
        }
        List<String> findings = decision.getReasons().stream().filter(r -> r.getFindingId() != null).map(GateReason::getMessage).limit(3).toList();
        String reason = "the gate BLOCKED the release after clearing it" + (findings.isEmpty() ? "" : ": " + String.join("; ", findings));
        // only a decision taken after the plan was made: an earlier BLOCKED (read late, on another partition) was lifted by
        // the clearance the plan answers
        return DeploymentEntity.<DeploymentEntity>list("releaseId = ?1 and state in ?2", decision.getReleaseId(), DeploymentState.ACTIVE)
                .map(active -> active.stream().filter(d -> decision.getOccurredAt().isAfter(Deployments.plan(d).getOccurredAt())).toList())
                .chain(active -> InOrder.map(active, d -> {
                    LOG.warnf("Release %s: deployment %s stopped: %s", d.releaseId, d.deploymentId, reason);
                    return command(io.deploystage.events.EventEnvelope.derivedId(decision.getEventId(), d.deploymentId.toString()),
                            d.deploymentId.toString(), d.releaseId, Action.ROLLBACK, "gate", null, null, reason, false);
                }))
                .map(emitted -> emitted.stream().<SpecificRecordBase>flatMap(List::stream).toList());
    }

    public Uni<List<SpecificRecordBase>> onRollback(RollbackCommand command) {
        return command(command.getEventId(), command.getDeploymentId(), command.getReleaseId(), Action.ROLLBACK, command.getRequestedBy(), null, null,
                command.getReason(), false);
    }

    public Uni<List<SpecificRecordBase>> onOperatorCommand(OperatorCommand command) {
        return onOperatorCommand(command, false, null);
    }

    /**
     * An operator's command. {@code strict} (the REST API): refuse what the deployment's state does not allow; from
     * Kafka such a command is recorded and logged, never dead-lettered for being late. {@code roles}: the caller's
     * verified roles (REST), or null when unknown (Kafka).
     */
    public Uni<List<SpecificRecordBase>> onOperatorCommand(OperatorCommand command, boolean strict, java.util.Set<String> roles) {
        if (command.getAction() == OperatorAction.UNKNOWN) {
            throw new RejectedEvent("action holds a value this version does not know");
        }
        if (command.getAction() == OperatorAction.FLAG_KILL) {
            String key = command.getFlagKey();
            if (key == null || !key.matches(Texts.FLAG_KEY)) {
                throw new RejectedEvent("FLAG_KILL needs a valid flagKey");
            }
            return flags.kill(key, command.getOperator()).chain(() -> record(command.getEventId(), command.getDeploymentId(),
                    command.getReleaseId(), "FLAG_KILL " + key, command.getOperator(), null)).replaceWith(List.of());
        }
        String reason = command.getComment() == null ? "operator " + command.getOperator() + " asked to " + command.getAction()
                : "operator " + command.getOperator() + ": " + command.getComment();
        return command(command.getEventId(), command.getDeploymentId(), command.getReleaseId(), Action.valueOf(command.getAction().name()),
                command.getOperator(), roles, command.getStepId(), reason, strict);
    }

    /** Applies a command to its deployment; {@code strict} as for {@link #onOperatorCommand(OperatorCommand, boolean, java.util.Set)}. */
    private Uni<List<SpecificRecordBase>> command(UUID eventId, String deploymentId, String releaseId, Action action, String by,
            java.util.Set<String> roles, String named, String reason, boolean strict) {
        UUID id = parse(deploymentId);
        return Deployments.locked(id).chain(deployment -> {
            if (deployment == null) {
                throw new RejectedEvent("deployment " + deploymentId + " is not known to the executor");
            }
            if (!deployment.releaseId.equals(releaseId)) {
                throw new RejectedEvent("deployment " + deploymentId + " belongs to release " + deployment.releaseId + ", not " + releaseId);
            }
            DeploymentPlan plan = Deployments.plan(deployment);
            Uni<String> superseded = action == Action.ROLLBACK ? Deployments.supersededBy(deployment) : Uni.createFrom().nullItem();
            return superseded.chain(newer -> StepEntity.<StepEntity>list("deploymentId", deployment.deploymentId).chain(rows -> {
                String stepId = named;
                if (action == Action.APPROVE) {
                    Approvals.Decision approval = Approvals.judge(new Approvals.Request(by, roles, named), plan.getRequestedBy(),
                            waitingApproval(deployment, plan, rows));
                    if (approval instanceof Approvals.Refused refused) {
                        if (strict) {
                            throw refused.kind() == Approvals.Kind.FORBIDDEN ? new CommandForbidden(refused.reason())
                                    : new CommandRefused("APPROVE refused: " + refused.reason());
                        }
                        LOG.warnf("Release %s: APPROVE from %s on deployment %s refused: %s", releaseId, by, deploymentId, refused.reason());
                        return record(eventId, deploymentId, releaseId, "APPROVE_REFUSED", by, named).replaceWith(List.<SpecificRecordBase>of());
                    }
                    stepId = ((Approvals.Accepted) approval).stepId();
                }
                return apply(deployment, Transitions.onCommand(deployment.state, deployment.phase, deployment.pauseRequested, action,
                        StepLifecycle.touchedProduction(Deployments.lifecycle(plan.getSteps()), Deployments.rows(rows)), newer),
                        eventId, deploymentId, releaseId, action, by, stepId, reason, strict);
            }));
        }).call(() -> DeploymentSignals.evidence(List.of(id))); // an approval, say: the waiting step reads it once this commits
    }

    private Uni<List<SpecificRecordBase>> apply(DeploymentEntity deployment, Decision decision, UUID eventId, String deploymentId,
            String releaseId, Action action, String by, String stepId, String reason, boolean strict) {
        Uni<Void> recorded = record(eventId, deploymentId, releaseId, action.name(), by, stepId, reason);
        if (decision.effect() == Transitions.Effect.REFUSED || decision.effect() == Transitions.Effect.NOTHING) {
            if (strict && decision.effect() == Transitions.Effect.REFUSED) {
                throw new CommandRefused(action + " refused: " + decision.reason());
            }
            LOG.infof("Release %s: %s from %s on deployment %s (%s): %s", releaseId, action, by, deploymentId, deployment.state,
                    decision.reason());
            return recorded.replaceWith(List.<SpecificRecordBase>of());
        }
        LOG.infof("Release %s: %s from %s on deployment %s (%s)", releaseId, action, by, deploymentId, deployment.state);
        return recorded.chain(() -> switch (decision.effect()) {
            case RECORD -> Uni.createFrom().item(List.<SpecificRecordBase>of());
            case REQUEST_PAUSE -> {
                deployment.pauseRequested = true;
                yield Uni.createFrom().item(List.<SpecificRecordBase>of());
            }
            case RESUME -> deployments.resume(deployment, by);
            case ABORT -> deployments.stop(deployment, DeploymentState.ABORTED, decision.reason() == null ? reason : decision.reason());
            case START_ROLLBACK -> deployments.startRollback(deployment, reason);
            default -> Uni.createFrom().item(List.<SpecificRecordBase>of());
        });
    }

    /** A polled batch of the monitor's verdicts, kept in one statement for the waiting steps of their deployments. */
    public Uni<List<SpecificRecordBase>> onVerdicts(List<HealthVerdict> verdicts) {
        List<VerdictEntity> rows = verdicts.stream().map(ExecutionFlow::verdictRow).toList();
        return VerdictEntity.persist(rows).call(() -> DeploymentSignals.evidence(rows.stream().map(r -> r.deploymentId).toList()))
                .replaceWith(List.of());
    }

    /** The row a verdict is kept as; {@link RejectedEvent} when it names no deployment. */
    public static VerdictEntity verdictRow(HealthVerdict verdict) {
        VerdictEntity row = new VerdictEntity();
        row.eventId = verdict.getEventId();
        row.deploymentId = parse(verdict.getDeploymentId());
        row.check = verdict.getCheck();
        row.verdict = verdict.getVerdict().name();
        row.reason = verdict.getReason().length() > 4000 ? verdict.getReason().substring(0, 4000) : verdict.getReason();
        row.receivedAt = Instant.now();
        row.environment = verdict.getEnvironment().name();
        row.cohort = verdict.getCohort().name();
        row.windowStart = verdict.getWindowStart();
        row.windowEnd = verdict.getWindowEnd();
        row.sampleCount = verdict.getSampleCount();
        return row;
    }

    private static UUID parse(String deploymentId) {
        try {
            return UUID.fromString(deploymentId);
        } catch (IllegalArgumentException e) {
            throw new RejectedEvent("deploymentId '" + deploymentId + "' is not a UUID");
        }
    }

    private static Uni<Void> record(UUID eventId, String deploymentId, String releaseId, String kind, String by, String stepId) {
        return record(eventId, deploymentId, releaseId, kind, by, stepId, null);
    }

    private static Uni<Void> record(UUID eventId, String deploymentId, String releaseId, String kind, String by, String stepId, String comment) {
        CommandEntity entity = new CommandEntity();
        entity.eventId = eventId;
        entity.deploymentId = deploymentId;
        entity.releaseId = releaseId;
        entity.kind = kind;
        entity.requestedBy = by;
        entity.stepId = stepId;
        entity.comment = comment == null || comment.length() <= 2000 ? comment : comment.substring(0, 2000);
        entity.receivedAt = Instant.now();
        return entity.persist().replaceWithVoid();
    }

    /**
     * The APPROVAL step of the deployment that has started and waits for an approval, with the role it asks for; null
     * when none does (an approval given before its step began counts for nothing).
     */
    static Approvals.Waiting waitingApproval(DeploymentEntity d, DeploymentPlan plan, List<StepEntity> rows) {
        if (d.phase != Phase.FORWARD || d.state != DeploymentState.RUNNING) {
            return null;
        }
        List<PlanStep> steps = Deployments.steps(plan, d.phase);
        if (d.nextStep >= steps.size() || steps.get(d.nextStep).getKind() != StepKind.APPROVAL) {
            return null;
        }
        boolean started = rows.stream().anyMatch(r -> r.phase == d.phase && r.stepIndex == d.nextStep && StepEntity.STARTED.equals(r.status));
        PlanStep step = steps.get(d.nextStep);
        return started ? new Approvals.Waiting(step.getStepId(), step.getApproverRole()) : null;
    }

    /** A command its caller may not give (the REST API answers 403 with the message). */
    public static final class CommandForbidden extends RuntimeException {
        public CommandForbidden(String message) {
            super(message, null, false, false);
        }
    }

    /** A command the deployment's state does not allow (the REST API answers 409 with the message). */
    public static final class CommandRefused extends RuntimeException {
        public CommandRefused(String message) {
            super(message, null, false, false);
        }
    }
}
