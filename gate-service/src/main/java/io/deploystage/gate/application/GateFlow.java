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

    /**
     * A polled batch of candidates, set-wise: the releases not seen before are recorded (the first candidate of a release
     * wins) and every release of the batch is evaluated, with one query each for the releases, results and waivers.
     */
    public Uni<List<SpecificRecordBase>> onReleaseCandidates(List<ReleaseCandidate> events) {
        Map<String, Candidate> candidates = new LinkedHashMap<>();
        Map<String, Cause> causes = new LinkedHashMap<>();
        for (ReleaseCandidate event : events) {
            Candidate candidate = GateEvents.candidate(event);
            if (candidates.putIfAbsent(candidate.releaseId(), candidate) == null) {
                causes.put(candidate.releaseId(), new Cause(event.getEventId(), "release candidate"));
            }
        }
        return ReleaseEntity.<ReleaseEntity>list("releaseId in ?1", List.copyOf(candidates.keySet())).chain(existing -> {
            Map<String, ReleaseEntity> releases = new LinkedHashMap<>();
            existing.forEach(r -> releases.put(r.releaseId, r));
            List<ReleaseEntity> created = candidates.values().stream().filter(c -> !releases.containsKey(c.releaseId()))
                    .map(GateFlow::entityOf).toList();
            created.forEach(r -> releases.put(r.releaseId, r));
            return (created.isEmpty() ? Uni.createFrom().voidItem() : ReleaseEntity.persist(created))
                    .chain(() -> decideAll(List.copyOf(releases.values()), causes, Instant.now(), true));
        }).map(GateFlow::events);
    }

    /**
     * A polled batch of gate results, set-wise: the results are recorded and each release they belong to is evaluated
     * once, after all of them, with one query each for the releases, results and waivers. A result may come before
     * its candidate: it is kept and counted once the candidate arrives.
     */
    public Uni<List<SpecificRecordBase>> onGateResults(List<GateResult> events) {
        List<GateResultEntity> rows = new ArrayList<>();
        Map<String, List<GateResult>> byRelease = new LinkedHashMap<>();
        for (GateResult event : events) {
            rows.add(rowOf(event, GateEvents.report(event)));
            byRelease.computeIfAbsent(event.getReleaseId(), k -> new ArrayList<>()).add(event);
        }
        Map<String, Cause> causes = new LinkedHashMap<>();
        byRelease.forEach((releaseId, results) -> causes.put(releaseId, new Cause(results.get(results.size() - 1).getEventId(),
                results.stream().map(r -> r.getStage().name()).collect(Collectors.joining(", ")) + " result")));
        return GateResultEntity.persist(rows)
                .chain(() -> ReleaseEntity.<ReleaseEntity>list("releaseId in ?1", List.copyOf(byRelease.keySet())))
                .chain(releases -> decideAll(releases, causes, Instant.now(), false))
                .map(GateFlow::events);
    }

    private static ReleaseEntity entityOf(Candidate candidate) {
        ReleaseEntity release = new ReleaseEntity();
        release.releaseId = candidate.releaseId();
        release.service = candidate.service();
        release.version = candidate.version();
        release.requiredGates = candidate.requiredGates().stream().map(Enum::name).sorted().collect(Collectors.joining(","));
        release.requestedBy = candidate.requestedBy();
        release.submittedAt = candidate.submittedAt();
        return release;
    }

    private static GateResultEntity rowOf(GateResult event, GateReport report) {
        GateResultEntity row = new GateResultEntity();
        row.eventId = event.getEventId();
        row.releaseId = event.getReleaseId();
        row.stage = report.stage().name();
        row.verdict = report.verdict().name();
        row.occurredAt = report.occurredAt();
        row.findings = JsonText.write(report.findings());
        row.coverage = report.coverage();
        return row;
    }

    private static List<SpecificRecordBase> events(Map<String, Evaluation> evaluations) {
        return evaluations.values().stream().flatMap(e -> e.events().stream()).toList();
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
                return entity.persist().chain(() -> decide(release, new Cause(entity.id, "waiver by " + acceptance.acceptedBy()), now, true));
            });
        });
    }

    /** Turns WAITING into BLOCKED for releases whose required gates did not report within the deadline. */
    public Uni<List<SpecificRecordBase>> reconsider(String releaseId, Instant now) {
        return ReleaseEntity.<ReleaseEntity>findById(releaseId).chain(release -> release == null || release.lastDecisionId == null
                ? Uni.createFrom().item(List.<SpecificRecordBase>of())
                : decide(release, new Cause(EventEnvelope.derivedId(release.lastDecisionId, "deadline"), "deadline check"), now, false)
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

    /** What caused an evaluation: the event or request, and its description in the ledger. */
    private record Cause(UUID id, String text) {
    }

    private Uni<Evaluation> decide(ReleaseEntity release, Cause cause, Instant now, boolean recordUnchanged) {
        return decideAll(List.of(release), Map.of(release.releaseId, cause), now, recordUnchanged).map(all -> all.get(release.releaseId));
    }

    /**
     * Evaluates the releases (loaded in this transaction) with their results and waivers, read in one query each:
     * a release whose outcome changed is announced with a GateDecision derived from its cause and recorded in the
     * ledger; an unchanged one is recorded only if {@code recordUnchanged}. The ledger entries are written together.
     */
    private Uni<Map<String, Evaluation>> decideAll(List<ReleaseEntity> releases, Map<String, Cause> causes, Instant now,
            boolean recordUnchanged) {
        List<String> ids = releases.stream().map(r -> r.releaseId).toList();
        return reports(ids).chain(reports -> waivers(ids).chain(waivers -> {
            Map<String, Evaluation> evaluations = new LinkedHashMap<>();
            List<LedgerEntry> entries = new ArrayList<>();
            for (ReleaseEntity release : releases) {
                Cause cause = causes.get(release.releaseId);
                List<GateReport> releaseReports = reports.getOrDefault(release.releaseId, List.of());
                List<Waiver> releaseWaivers = waivers.getOrDefault(release.releaseId, List.of());
                Candidate candidate = candidateOf(release);
                GatePolicy policy = config.policyFor(release.service);
                GateDecision decision = GateEvaluator.evaluate(candidate, releaseReports, releaseWaivers, policy, now);
                boolean changed = !decision.outcome().name().equals(release.lastOutcome);
                List<SpecificRecordBase> events = new ArrayList<>();
                if (changed) {
                    UUID decisionId = EventEnvelope.derivedId(cause.id(), "gate-decision");
                    release.lastOutcome = decision.outcome().name();
                    release.lastDecisionId = decisionId;
                    events.add(GateEvents.decision(decisionId, cause.id(), candidate, decision));
                    LOG.infof("Release %s: gate %s after %s (%s)", release.releaseId, decision.outcome(), cause.text(),
                            decision.reasons().stream().filter(r -> r.effect() != io.deploystage.gate.domain.Reason.Effect.SATISFIED)
                                    .map(r -> r.rule()).toList());
                }
                if (changed || recordUnchanged) {
                    entries.add(ledgerEntry(release, decision, changed, candidate, releaseReports, releaseWaivers, policy, cause, now));
                }
                evaluations.put(release.releaseId, new Evaluation(decision, events));
            }
            return (entries.isEmpty() ? Uni.createFrom().voidItem() : LedgerEntry.persist(entries)).replaceWith(evaluations);
        }));
    }

    private static LedgerEntry ledgerEntry(ReleaseEntity release, GateDecision decision, boolean announced, Candidate candidate,
            List<GateReport> reports, List<Waiver> waivers, GatePolicy policy, Cause cause, Instant now) {
        LedgerEntry entry = new LedgerEntry();
        entry.id = UUID.randomUUID();
        entry.releaseId = release.releaseId;
        entry.outcome = decision.outcome().name();
        entry.announced = announced;
        entry.reasons = JsonText.write(decision.reasons());
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("candidate", candidate);
        inputs.put("reports", reports);
        inputs.put("waivers", waivers);
        inputs.put("policy", policy);
        inputs.put("now", now);
        entry.inputs = JsonText.write(inputs);
        entry.cause = cause.text().length() > 64 ? cause.text().substring(0, 64) : cause.text();
        entry.decidedAt = now;
        return entry;
    }

    public static Candidate candidateOf(ReleaseEntity release) {
        return new Candidate(release.releaseId, release.service, release.version,
                Arrays.stream(release.requiredGates.split(",")).filter(s -> !s.isBlank()).map(Stage::valueOf)
                        .collect(Collectors.toSet()), release.requestedBy, release.submittedAt);
    }

    public static Uni<List<GateReport>> reports(String releaseId) {
        return reports(List.of(releaseId)).map(all -> all.getOrDefault(releaseId, List.of()));
    }

    public static Uni<List<Waiver>> waivers(String releaseId) {
        return waivers(List.of(releaseId)).map(all -> all.getOrDefault(releaseId, List.of()));
    }

    /** The results of the releases, in one query, by release. */
    private static Uni<Map<String, List<GateReport>>> reports(List<String> releaseIds) {
        return GateResultEntity.<GateResultEntity>list("releaseId in ?1", releaseIds).map(rows -> rows.stream()
                .collect(Collectors.groupingBy(r -> r.releaseId, Collectors.mapping(r -> new GateReport(r.eventId.toString(),
                        Stage.valueOf(r.stage), io.deploystage.gate.domain.Verdict.valueOf(r.verdict), JsonText.read(r.findings, FINDINGS),
                        r.coverage, r.occurredAt), Collectors.toList()))));
    }

    /** The waivers of the releases, in one query, by release, each release's in the order they were given. */
    private static Uni<Map<String, List<Waiver>>> waivers(List<String> releaseIds) {
        return WaiverEntity.<WaiverEntity>list("releaseId in ?1 order by createdAt", releaseIds).map(rows -> rows.stream()
                .collect(Collectors.groupingBy(w -> w.releaseId, Collectors.mapping(w -> new Waiver(Stage.valueOf(w.stage), w.findingId,
                        new Acceptance(w.acceptedBy, w.rationale, w.expiresAt)), Collectors.toList()))));
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
