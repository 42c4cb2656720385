package io.deploystage.planner.application;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;
import org.jboss.logging.Logger;

import io.deploystage.events.EventEnvelope;
import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.planner.config.PlannerConfig;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.planner.domain.ChangeProfile;
import io.deploystage.planner.domain.DeployDescriptor;
import io.deploystage.planner.domain.Plan;
import io.deploystage.planner.domain.PlanBuilder;
import io.deploystage.planner.messaging.PlanEvents;
import io.deploystage.planner.persistence.CandidateEntity;
import io.deploystage.planner.persistence.DescriptorEntity;
import io.deploystage.planner.persistence.PlanEntity;
import io.deploystage.platform.domain.DeploymentCalendar;
import io.deploystage.platform.persistence.JsonText;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Turns a CLEARED gate decision into one plan per release: with the candidate's change profile and the service's
 * latest deploy descriptor. A plan with a destructive migration is HELD until a team lead releases it; a release
 * whose service has no descriptor waits for one; values that could reach a shell refuse the plan. Runs inside the
 * caller's transaction, with the release locked.
 */
@ApplicationScoped
public class PlanningFlow {

    private static final Logger LOG = Logger.getLogger(PlanningFlow.class);

    public static final String ISSUED = "ISSUED";
    public static final String HELD = "HELD";
    public static final String NEEDS_DESCRIPTOR = "NEEDS_DESCRIPTOR";
    public static final String AWAITING_CANDIDATE = "AWAITING_CANDIDATE";
    public static final String REFUSED = "REFUSED";

    private final PlannerConfig config;
    private final CalendarBook calendars;

    PlanningFlow(PlannerConfig config, CalendarBook calendars) {
        this.config = config;
        this.calendars = calendars;
    }

    public Uni<List<SpecificRecordBase>> onReleaseCandidate(ReleaseCandidate candidate) {
        ChangeProfile profile = PlanEvents.profile(candidate);
        return CandidateEntity.<CandidateEntity>findById(candidate.getReleaseId()).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(List.<SpecificRecordBase>of());
            }
            CandidateEntity entity = new CandidateEntity();
            entity.releaseId = candidate.getReleaseId();
            entity.service = candidate.getService();
            entity.version = candidate.getVersion();
            entity.commitSha = candidate.getCommitSha();
            entity.requestedBy = candidate.getRequestedBy();
            entity.changeProfile = JsonText.write(profile);
            entity.receivedAt = Instant.now();
            // the decision may have come first: plan now
            return entity.persist().chain(() -> PlanEntity.<PlanEntity>find("releaseId", candidate.getReleaseId()).<PlanEntity>firstResult())
                    .chain(plan -> plan != null && AWAITING_CANDIDATE.equals(plan.status) ? plan(plan, entity) : none());
        });
    }

    public Uni<List<SpecificRecordBase>> onGateDecision(GateDecision decision) {
        if (decision.getOutcome() != GateOutcome.CLEARED) {
            LOG.infof("Release %s: gate %s, no plan", decision.getReleaseId(), decision.getOutcome());
            return none();
        }
        return PlanEntity.<PlanEntity>find("releaseId", decision.getReleaseId()).<PlanEntity>firstResult().chain(existing -> {
            if (existing != null) {
                return none();
            }
            PlanEntity plan = new PlanEntity();
            plan.deploymentId = EventEnvelope.derivedId(decision.getEventId(), "deployment-plan");
            plan.releaseId = decision.getReleaseId();
            plan.decisionId = decision.getEventId();
            plan.gateWarnings = PlanEvents.gateWarnings(decision);
            plan.service = decision.getService();
            plan.version = decision.getVersion();
            plan.status = AWAITING_CANDIDATE;
            plan.createdAt = Instant.now();
            return plan.persist().chain(() -> CandidateEntity.<CandidateEntity>findById(decision.getReleaseId()))
                    .chain(candidate -> candidate == null ? none() : plan(plan, candidate));
        });
    }

    /** Plans the releases of a service that were waiting for its first descriptor. */
    public Uni<List<SpecificRecordBase>> onDescriptorRegistered(String service) {
        return PlanEntity.<PlanEntity>list("service = ?1 and status = ?2", service, NEEDS_DESCRIPTOR)
                .onItem().transformToMulti(plans -> Multi.createFrom().iterable(plans))
                .onItem().transformToUniAndConcatenate(plan -> CandidateEntity.<CandidateEntity>findById(plan.releaseId)
                        .chain(candidate -> plan(plan, candidate)))
                .collect().asList()
                .map(lists -> lists.stream().flatMap(List::stream).toList());
    }

    /** A team lead releases a plan held for escalation; the release's requester may not. */
    public Uni<List<SpecificRecordBase>> release(String releaseId, String approver) {
        return PlanEntity.<PlanEntity>find("releaseId", releaseId).<PlanEntity>firstResult().chain(plan -> {
            if (plan == null) {
                throw new PlanRefused(404, "no plan for release " + releaseId);
            }
            if (!HELD.equals(plan.status)) {
                throw new PlanRefused(409, "the plan of " + releaseId + " is " + plan.status + ", not HELD");
            }
            return CandidateEntity.<CandidateEntity>findById(releaseId).map(candidate -> {
                if (candidate.requestedBy.equalsIgnoreCase(approver)) {
                    throw new PlanRefused(403, "self-approval refused: " + approver + " requested this release");
                }
                Plan stored = JsonText.read(plan.plan, Plan.class);
                plan.status = ISSUED;
                plan.releasedBy = approver;
                LOG.infof("Release %s: plan released by %s after escalation", releaseId, approver);
                return List.<SpecificRecordBase>of(PlanEvents.event(plan.deploymentId, plan.decisionId, stored));
            });
        });
    }

    private Uni<List<SpecificRecordBase>> plan(PlanEntity plan, CandidateEntity candidate) {
        return DescriptorEntity.<DescriptorEntity>find("service = ?1 order by version desc", candidate.service).<DescriptorEntity>firstResult()
                .chain(descriptor -> calendars.forService(candidate.service).map(calendar -> plan(plan, candidate, descriptor, calendar)));
    }

    private List<SpecificRecordBase> plan(PlanEntity plan, CandidateEntity candidate, DescriptorEntity descriptor, DeploymentCalendar calendar) {
        if (descriptor == null) {
            plan.status = NEEDS_DESCRIPTOR;
            plan.reason = "no deploy descriptor is registered for " + candidate.service;
            LOG.warnf("Release %s: %s", plan.releaseId, plan.reason);
            return List.of();
        }
        PlanBuilder.Release release = new PlanBuilder.Release(candidate.releaseId, candidate.service, candidate.version,
                candidate.commitSha, candidate.requestedBy, JsonText.read(candidate.changeProfile, ChangeProfile.class), plan.gateWarnings);
        Plan built;
        try {
            built = PlanBuilder.build(release, JsonText.read(descriptor.body, DeployDescriptor.class)
                    .withOverride(config.overrideFor(candidate.service)), calendar, Instant.now());
        } catch (IllegalArgumentException refused) {
            plan.status = REFUSED;
            plan.reason = refused.getMessage();
            LOG.warnf("Release %s: plan refused: %s", plan.releaseId, plan.reason);
            return List.of();
        }
        plan.descriptorVersion = descriptor.version;
        plan.strategy = built.strategy().name();
        plan.plan = JsonText.write(built);
        DeploymentPlan event = PlanEvents.event(plan.deploymentId, plan.decisionId, built);
        plan.checklist = event.getDeploymentChecklist();
        plan.rollbackPlan = event.getRollbackPlan();
        plan.reason = built.choice().rationale();
        if (built.heldForEscalation()) {
            plan.status = HELD;
            LOG.warnf("Release %s: plan HELD for escalation: a rollback cannot undo all it does (its Known Constraints say what); a team lead"
                    + " must release it", plan.releaseId);
            return List.of();
        }
        plan.status = ISSUED;
        LOG.infof("Release %s: %s plan, risk %s, %d steps, production window %s", plan.releaseId, built.strategy().label(), built.risk().level(),
                built.steps().size(), built.window() == null ? "not found in the calendar" : calendar.local(built.window()));
        return List.<SpecificRecordBase>of(event);
    }

    private static Uni<List<SpecificRecordBase>> none() {
        return Uni.createFrom().item(List.of());
    }

    /** Why a plan cannot be released, with the HTTP status that says so. */
    public static class PlanRefused extends RuntimeException {
        private final int status;

        public PlanRefused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

}
