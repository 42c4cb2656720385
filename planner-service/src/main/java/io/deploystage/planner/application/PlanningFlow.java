package io.deploystage.planner.application;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

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

    /**
     * A polled batch of candidates, set-wise: those not seen before are recorded (the first of a release wins), and
     * the releases whose CLEARED decision came first and waits for its candidate are planned now.
     */
    public Uni<List<SpecificRecordBase>> onReleaseCandidates(List<ReleaseCandidate> events) {
        Map<String, ReleaseCandidate> byRelease = new LinkedHashMap<>();
        events.forEach(e -> byRelease.putIfAbsent(e.getReleaseId(), e));
        List<String> releaseIds = List.copyOf(byRelease.keySet());
        return CandidateEntity.<CandidateEntity>list("releaseId in ?1", releaseIds).chain(existing -> {
            Set<String> known = existing.stream().map(c -> c.releaseId).collect(Collectors.toSet());
            List<CandidateEntity> created = byRelease.values().stream().filter(e -> !known.contains(e.getReleaseId()))
                    .map(PlanningFlow::entityOf).toList();
            if (created.isEmpty()) {
                return none();
            }
            return CandidateEntity.persist(created)
                    // the decision may have come first: plan now
                    .chain(() -> PlanEntity.<PlanEntity>list("releaseId in ?1 and status = ?2",
                            created.stream().map(c -> c.releaseId).toList(), AWAITING_CANDIDATE))
                    .chain(waiting -> planAll(waiting, created));
        });
    }

    /**
     * A polled batch of gate decisions, set-wise: each release's first CLEARED decision becomes its plan (one per
     * release, ever), planned at once when its candidate is known, else when the candidate comes.
     */
    public Uni<List<SpecificRecordBase>> onGateDecisions(List<GateDecision> decisions) {
        Map<String, GateDecision> cleared = new LinkedHashMap<>();
        for (GateDecision decision : decisions) {
            if (decision.getOutcome() != GateOutcome.CLEARED) {
                LOG.infof("Release %s: gate %s, no plan", decision.getReleaseId(), decision.getOutcome());
            } else {
                cleared.putIfAbsent(decision.getReleaseId(), decision);
            }
        }
        if (cleared.isEmpty()) {
            return none();
        }
        List<String> releaseIds = List.copyOf(cleared.keySet());
        return PlanEntity.<PlanEntity>list("releaseId in ?1", releaseIds).chain(existing -> {
            Set<String> planned = existing.stream().map(p -> p.releaseId).collect(Collectors.toSet());
            List<PlanEntity> created = cleared.values().stream().filter(d -> !planned.contains(d.getReleaseId()))
                    .map(PlanningFlow::planOf).toList();
            if (created.isEmpty()) {
                return none();
            }
            // planned before they are written, so each plan row is inserted once, complete
            return CandidateEntity.<CandidateEntity>list("releaseId in ?1", created.stream().map(p -> p.releaseId).toList())
                    .chain(candidates -> planAll(created, candidates))
                    .call(() -> PlanEntity.persist(created));
        });
    }

    private static CandidateEntity entityOf(ReleaseCandidate candidate) {
        CandidateEntity entity = new CandidateEntity();
        entity.releaseId = candidate.getReleaseId();
        entity.service = candidate.getService();
        entity.version = candidate.getVersion();
        entity.commitSha = candidate.getCommitSha();
        entity.requestedBy = candidate.getRequestedBy();
        entity.changeProfile = JsonText.write(PlanEvents.profile(candidate));
        entity.receivedAt = Instant.now();
        return entity;
    }

    private static PlanEntity planOf(GateDecision decision) {
        PlanEntity plan = new PlanEntity();
        plan.deploymentId = EventEnvelope.derivedId(decision.getEventId(), "deployment-plan");
        plan.releaseId = decision.getReleaseId();
        plan.decisionId = decision.getEventId();
        plan.gateWarnings = PlanEvents.gateWarnings(decision);
        plan.service = decision.getService();
        plan.version = decision.getVersion();
        plan.status = AWAITING_CANDIDATE;
        plan.createdAt = Instant.now();
        return plan;
    }

    /** Plans the releases of a service that were waiting for its first descriptor. */
    public Uni<List<SpecificRecordBase>> onDescriptorRegistered(String service) {
        return PlanEntity.<PlanEntity>list("service = ?1 and status = ?2", service, NEEDS_DESCRIPTOR)
                .chain(plans -> plans.isEmpty() ? none()
                        : CandidateEntity.<CandidateEntity>list("releaseId in ?1", plans.stream().map(p -> p.releaseId).toList())
                                .chain(candidates -> planAll(plans, candidates)));
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

    /**
     * Plans each plan whose candidate is among {@code candidates} (the others wait for theirs), with the latest
     * descriptor and the calendar of each service, read once for the whole set.
     */
    private Uni<List<SpecificRecordBase>> planAll(List<PlanEntity> plans, List<CandidateEntity> candidates) {
        Map<String, CandidateEntity> candidateOf = new HashMap<>();
        candidates.forEach(c -> candidateOf.put(c.releaseId, c));
        List<PlanEntity> ready = plans.stream().filter(p -> candidateOf.containsKey(p.releaseId)).toList();
        if (ready.isEmpty()) {
            return none();
        }
        Set<String> services = ready.stream().map(p -> candidateOf.get(p.releaseId).service).collect(Collectors.toSet());
        return DescriptorEntity.<DescriptorEntity>list("from DescriptorEntity d where d.service in ?1 and d.version = "
                        + "(select max(e.version) from DescriptorEntity e where e.service = d.service)", List.copyOf(services))
                .chain(descriptors -> calendars.forServices(services).map(calendarOf -> {
                    // each service's descriptor read (and its configured override applied) once for the set
                    Map<String, Descriptor> descriptorOf = new HashMap<>();
                    descriptors.forEach(d -> descriptorOf.put(d.service, new Descriptor(d.version,
                            JsonText.read(d.body, DeployDescriptor.class).withOverride(config.overrideFor(d.service)))));
                    List<SpecificRecordBase> events = new ArrayList<>();
                    for (PlanEntity plan : ready) {
                        CandidateEntity candidate = candidateOf.get(plan.releaseId);
                        events.addAll(plan(plan, candidate, descriptorOf.get(candidate.service), calendarOf.get(candidate.service)));
                    }
                    return events;
                }));
    }

    /** A registered descriptor version, read, with the service's configured override applied. */
    private record Descriptor(int version, DeployDescriptor body) {
    }

    private List<SpecificRecordBase> plan(PlanEntity plan, CandidateEntity candidate, Descriptor descriptor, DeploymentCalendar calendar) {
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
            built = PlanBuilder.build(release, descriptor.body(), calendar, Instant.now());
        } catch (IllegalArgumentException refused) {
            plan.status = REFUSED;
            plan.reason = refused.getMessage();
            LOG.warnf("Release %s: plan refused: %s", plan.releaseId, plan.reason);
            return List.of();
        }
        plan.descriptorVersion = descriptor.version();
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
