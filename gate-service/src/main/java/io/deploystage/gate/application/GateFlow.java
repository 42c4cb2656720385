package io.deploystage.gate.application;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;

import io.deploystage.events.EventEnvelope;
import io.deploystage.events.GateResult;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.gate.config.GateConfig;
import io.deploystage.gate.domain.Acceptance;
import io.deploystage.gate.domain.Candidate;
import io.deploystage.gate.domain.Finding;
import io.deploystage.gate.domain.GateDecision;
import io.deploystage.gate.domain.GateEvaluator;
import io.deploystage.gate.domain.GateOutcome;
import io.deploystage.gate.domain.GatePolicy;
import io.deploystage.gate.domain.GateReport;
import io.deploystage.gate.domain.Stage;
import io.deploystage.gate.domain.Waiver;
import io.deploystage.gate.messaging.GateEvents;
import io.deploystage.platform.persistence.JsonText;
import io.deploystage.gate.persistence.GateResultEntity;
import io.deploystage.gate.persistence.LedgerEntry;
import io.deploystage.gate.persistence.ReleaseEntity;
import io.deploystage.gate.persistence.WaiverEntity;
import io.smallrye.mutiny.Uni;

/**
 * Load → decide → persist → announce for the gate: records candidates, results and waivers, evaluates the
 * release, and announces a GateDecision when the outcome changes. The decision ledger keeps every announced
 * decision, and every evaluation caused by a candidate or a waiver, with the inputs it saw.
 * Every method runs inside the caller's transaction, with the release locked.
 */
@ApplicationScoped
public class GateFlow {

    private static final Logger LOG = Logger.getLogger(GateFlow.class);

    private static final TypeReference<List<Finding>> FINDINGS = new TypeReference<>() { };

    private final GateConfig config;

    GateFlow(GateConfig config) {
        this.config = config;
    }

    /** The result of one evaluation: the decision and the events that announce it (none when unchanged). */
    public record Evaluation(GateDecision decision, List<SpecificRecordBase> events) {
    }

    public Uni<List<SpecificRecordBase>> onReleaseCandidate(ReleaseCandidate event) {
        Candidate candidate = GateEvents.candidate(event);
        return ReleaseEntity.<ReleaseEntity>findById(candidate.releaseId())
                .chain(existing -> {
                    if (existing != null) {
                        return Uni.createFrom().item(existing);
                    }
                    ReleaseEntity release = new ReleaseEntity();
                    release.releaseId = candidate.releaseId();
                    release.service = candidate.service();
                    release.version = candidate.version();
                    release.requiredGates = candidate.requiredGates().stream().map(Enum::name).sorted().collect(Collectors.joining(","));
                    release.requestedBy = candidate.requestedBy();
                    release.submittedAt = candidate.submittedAt();
                    return release.<ReleaseEntity>persist();
                })
                .chain(release -> decide(release, event.getEventId(), "release candidate", Instant.now(), true))
                .map(Evaluation::events);
    }

    public Uni<List<SpecificRecordBase>> onGateResult(GateResult event) {
        GateReport report = GateEvents.report(event);
        GateResultEntity row = new GateResultEntity();
        row.eventId = event.getEventId();
        row.releaseId = event.getReleaseId();
        row.stage = report.stage().name();
        row.verdict = report.verdict().name();
        row.occurredAt = report.occurredAt();
        row.findings = JsonText.write(report.findings());
        row.coverage = report.coverage();
        return row.persist()
                .chain(() -> ReleaseEntity.<ReleaseEntity>findById(event.getReleaseId()))
                // a result may come before its candidate: it is kept and counted once the candidate arrives
                .chain(release -> release == null ? Uni.createFrom().item(List.<SpecificRecordBase>of())
                        : decide(release, event.getEventId(), report.stage() + " result", Instant.now(), false).map(Evaluation::events));
    }

    /** An approver accepts a finding; refused for the release's own requester, an unknown finding or a past expiry. */
    public Uni<Evaluation> waive(String releaseId, Waiver waiver, Instant now) {
        return ReleaseEntity.<ReleaseEntity>findById(releaseId).chain(release -> {
            if (release == null) {
                throw new WaiverRefused(404, "release " + releaseId + " is unknown");
            }
            Acceptance acceptance = waiver.acceptance();
            if (acceptance.acceptedBy().equalsIgnoreCase(release.requestedBy)) {
                throw new WaiverRefused(403, "self-approval refused: " + acceptance.acceptedBy() + " requested this release");
            }
            if (!acceptance.expiresAt().isAfter(now)) {
                throw new WaiverRefused(400, "expiresAt must be in the future");
            }
            return reports(releaseId).chain(reports -> {
                GateReport latest = GateEvaluator.latestPerStage(reports).get(waiver.stage());
                if (latest == null || latest.findings().stream().noneMatch(f -> f.id().equals(waiver.findingId()) && !f.isResolved())) {
                    throw new WaiverRefused(404, "no unresolved finding " + waiver.findingId() + " in the latest " + waiver.stage() + " result");
                }
                WaiverEntity entity = new WaiverEntity();
                entity.id = UUID.randomUUID();
                entity.releaseId = releaseId;
                entity.stage = waiver.stage().name();
                entity.findingId = waiver.findingId();
                entity.acceptedBy = acceptance.acceptedBy();
                entity.rationale = acceptance.rationale();
                entity.expiresAt = acceptance.expiresAt();
                entity.createdAt = now;
                LOG.infof("Release %s: %s accepted %s until %s", releaseId, acceptance.acceptedBy(), waiver.findingId(), acceptance.expiresAt());
                return entity.persist().chain(() -> decide(release, entity.id, "waiver by " + acceptance.acceptedBy(), now, true));
            });
        });
    }

    /** Turns WAITING into BLOCKED for releases whose required gates did not report within the deadline. */
    public Uni<List<SpecificRecordBase>> reconsider(String releaseId, Instant now) {
        return ReleaseEntity.<ReleaseEntity>findById(releaseId).chain(release -> release == null || release.lastDecisionId == null
                ? Uni.createFrom().item(List.<SpecificRecordBase>of())
                : decide(release, EventEnvelope.derivedId(release.lastDecisionId, "deadline"), "deadline check", now, false)
                        .map(Evaluation::events));
    }

    /** The releases that are WAITING and older than the deadline. */
    public Uni<List<String>> overdue(Instant now) {
        return ReleaseEntity.<ReleaseEntity>list("lastOutcome = ?1 and submittedAt <= ?2", GateOutcome.WAITING.name(),
                now.minus(config.deadline())).map(list -> list.stream().map(r -> r.releaseId).toList());
    }

    /** The current evaluation of a release, for the status API (nothing is written). */
    public Uni<GateDecision> current(ReleaseEntity release, List<GateReport> reports, List<Waiver> waivers, Instant now) {
        return Uni.createFrom().item(GateEvaluator.evaluate(candidateOf(release), reports, waivers, config.policyFor(release.service), now));
    }

    private Uni<Evaluation> decide(ReleaseEntity release, UUID cause, String causeText, Instant now, boolean recordUnchanged) {
        return reports(release.releaseId).chain(reports -> waivers(release.releaseId).chain(waivers -> {
            Candidate candidate = candidateOf(release);
            GatePolicy policy = config.policyFor(release.service);
            GateDecision decision = GateEvaluator.evaluate(candidate, reports, waivers, policy, now);
            boolean changed = !decision.outcome().name().equals(release.lastOutcome);
            List<SpecificRecordBase> events = new ArrayList<>();
            if (changed) {
                UUID decisionId = EventEnvelope.derivedId(cause, "gate-decision");
                release.lastOutcome = decision.outcome().name();
                release.lastDecisionId = decisionId;
                events.add(GateEvents.decision(decisionId, cause, candidate, decision));
                LOG.infof("Release %s: gate %s after %s (%s)", release.releaseId, decision.outcome(), causeText,
                        decision.reasons().stream().filter(r -> r.effect() != io.deploystage.gate.domain.Reason.Effect.SATISFIED)
                                .map(r -> r.rule()).toList());
            }
            if (!changed && !recordUnchanged) {
                return Uni.createFrom().item(new Evaluation(decision, events));
            }
            LedgerEntry entry = new LedgerEntry();
            entry.id = UUID.randomUUID();
            entry.releaseId = release.releaseId;
            entry.outcome = decision.outcome().name();
            entry.announced = changed;
            entry.reasons = JsonText.write(decision.reasons());
            Map<String, Object> inputs = new LinkedHashMap<>();
            inputs.put("candidate", candidate);
            inputs.put("reports", reports);
            inputs.put("waivers", waivers);
            inputs.put("policy", policy);
            inputs.put("now", now);
            entry.inputs = JsonText.write(inputs);
            entry.cause = causeText.length() > 64 ? causeText.substring(0, 64) : causeText;
            entry.decidedAt = now;
            return entry.persist().replaceWith(new Evaluation(decision, events));
        }));
    }

    public static Candidate candidateOf(ReleaseEntity release) {
        return new Candidate(release.releaseId, release.service, release.version,
                Arrays.stream(release.requiredGates.split(",")).filter(s -> !s.isBlank()).map(Stage::valueOf)
                        .collect(Collectors.toSet()), release.requestedBy, release.submittedAt);
    }

    public static Uni<List<GateReport>> reports(String releaseId) {
        return GateResultEntity.<GateResultEntity>list("releaseId", releaseId).map(rows -> rows.stream()
                .map(r -> new GateReport(r.eventId.toString(), Stage.valueOf(r.stage), io.deploystage.gate.domain.Verdict.valueOf(r.verdict),
                        JsonText.read(r.findings, FINDINGS), r.coverage, r.occurredAt))
                .toList());
    }

    public static Uni<List<Waiver>> waivers(String releaseId) {
        return WaiverEntity.<WaiverEntity>list("releaseId = ?1 order by createdAt", releaseId).map(rows -> rows.stream()
                .map(w -> new Waiver(Stage.valueOf(w.stage), w.findingId, new Acceptance(w.acceptedBy, w.rationale, w.expiresAt)))
                .toList());
    }

    /** Why a waiver was refused, with the HTTP status that says so. */
    public static class WaiverRefused extends RuntimeException {
        private final int status;

        public WaiverRefused(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
