package io.deploystage.gate.messaging;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import io.deploystage.events.GateReason;
import io.deploystage.events.GateResult;
import io.deploystage.events.GateStage;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.gate.domain.Acceptance;
import io.deploystage.gate.domain.Candidate;
import io.deploystage.gate.domain.Finding;
import io.deploystage.gate.domain.FindingStatus;
import io.deploystage.gate.domain.GateDecision;
import io.deploystage.gate.domain.GateReport;
import io.deploystage.gate.domain.Severity;
import io.deploystage.gate.domain.Stage;
import io.deploystage.gate.domain.Verdict;
import io.deploystage.platform.messaging.RejectedEvent;

/** Avro contracts to the gate's domain and back, at the edge; an enum value this version does not know is rejected. */
public final class GateEvents {

    private GateEvents() {
    }

    public static Candidate candidate(ReleaseCandidate event) {
        if (event.getRequiredGates().isEmpty()) {
            throw new RejectedEvent("requiredGates is empty: a release must name the gates it needs");
        }
        return new Candidate(event.getReleaseId(), event.getService(), event.getVersion(),
                event.getRequiredGates().stream().map(GateEvents::stage).collect(Collectors.toSet()), event.getRequestedBy(),
                event.getOccurredAt());
    }

    public static GateReport report(GateResult event) {
        if (event.getVerdict() == io.deploystage.events.GateVerdict.UNKNOWN) {
            throw new RejectedEvent("verdict holds a value this version does not know");
        }
        Double coverage = event.getCoverage();
        if (coverage != null && (coverage.isNaN() || coverage < 0 || coverage > 100)) {
            throw new RejectedEvent("coverage must be a percentage between 0 and 100");
        }
        return new GateReport(event.getEventId().toString(), stage(event.getStage()), Verdict.valueOf(event.getVerdict().name()),
                event.getFindings().stream().map(GateEvents::finding).toList(), coverage, event.getOccurredAt());
    }

    private static Finding finding(io.deploystage.events.Finding f) {
        if (f.getSeverity() == io.deploystage.events.Severity.UNKNOWN || f.getStatus() == io.deploystage.events.FindingStatus.UNKNOWN) {
            throw new RejectedEvent("finding " + f.getId() + " holds a severity or status this version does not know");
        }
        Acceptance acceptance = f.getAcceptance() == null ? null
                : new Acceptance(f.getAcceptance().getAcceptedBy(), f.getAcceptance().getRationale(), f.getAcceptance().getExpiresAt());
        return new Finding(f.getId(), Severity.valueOf(f.getSeverity().name()), f.getTitle(), FindingStatus.valueOf(f.getStatus().name()),
                acceptance);
    }

    static Stage stage(GateStage stage) {
        if (stage == GateStage.UNKNOWN) {
            throw new RejectedEvent("stage or verdict holds a value this version does not know");
        }
        return Stage.valueOf(stage.name());
    }

    /** The GateResult a report or a JSON request becomes. */
    public static GateResult result(UUID eventId, String releaseId, Instant occurredAt, GateReport report, String reportUrl) {
        return result(eventId, releaseId, occurredAt, report, reportUrl, 0);
    }

    /** As above, for a report of which {@code omitted} lower-severity findings are left out (see FindingBudget). */
    public static GateResult result(UUID eventId, String releaseId, Instant occurredAt, GateReport report, String reportUrl, int omitted) {
        return GateResult.newBuilder()
                .setEventId(eventId)
                .setReleaseId(releaseId)
                .setOccurredAt(occurredAt)
                .setStage(GateStage.valueOf(report.stage().name()))
                .setVerdict(io.deploystage.events.GateVerdict.valueOf(report.verdict().name()))
                .setFindings(report.findings().stream().map(f -> io.deploystage.events.Finding.newBuilder()
                        .setId(f.id())
                        .setSeverity(io.deploystage.events.Severity.valueOf(f.severity().name()))
                        .setTitle(f.title())
                        .setStatus(io.deploystage.events.FindingStatus.valueOf(f.status().name()))
                        .setAcceptance(f.acceptance() == null ? null : io.deploystage.events.Acceptance.newBuilder()
                                .setAcceptedBy(f.acceptance().acceptedBy())
                                .setRationale(f.acceptance().rationale())
                                .setExpiresAt(f.acceptance().expiresAt())
                                .build())
                        .build()).toList())
                .setCoverage(report.coverage())
                .setReportUrl(reportUrl)
                .setOmittedFindings(omitted)
                .build();
    }

    /** The ReleaseCandidate event a submission through the API becomes. */
    public static ReleaseCandidate candidateEvent(UUID eventId, Instant occurredAt, String releaseId, String service, String version,
            String commitSha, String artifact, io.deploystage.events.ChangeProfile profile, List<Stage> requiredGates, String requestedBy,
            List<String> issues) {
        return ReleaseCandidate.newBuilder()
                .setEventId(eventId)
                .setReleaseId(releaseId)
                .setOccurredAt(occurredAt)
                .setService(service)
                .setVersion(version)
                .setCommitSha(commitSha)
                .setArtifact(artifact)
                .setChangeProfile(profile)
                .setRequiredGates(requiredGates.stream().map(s -> GateStage.valueOf(s.name())).distinct().toList())
                .setRequestedBy(requestedBy)
                .setIssues(issues == null ? List.of() : List.copyOf(issues))
                .build();
    }

    public static io.deploystage.events.GateDecision decision(UUID eventId, UUID cause, Candidate candidate, GateDecision decision) {
        List<GateReason> reasons = decision.reasons().stream().map(r -> GateReason.newBuilder()
                .setStage(GateStage.valueOf(r.stage().name()))
                .setRule(r.rule())
                .setFindingId(r.findingId())
                .setMessage(r.effect() + ": " + r.message())
                .build()).toList();
        return io.deploystage.events.GateDecision.newBuilder()
                .setEventId(eventId)
                .setReleaseId(candidate.releaseId())
                .setOccurredAt(Instant.now())
                .setCausationId(cause.toString())
                .setService(candidate.service())
                .setVersion(candidate.version())
                .setOutcome(io.deploystage.events.GateOutcome.valueOf(decision.outcome().name()))
                .setReasons(reasons)
                .build();
    }
}
