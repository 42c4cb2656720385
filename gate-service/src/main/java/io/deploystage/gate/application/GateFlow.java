package io.deploystage.gate.application;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;

import io.deploystage.events.EventEnvelope;
import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.GateResult;
import io.deploystage.events.GateStage;
import io.deploystage.events.GateVerdict;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.gate.domain.GateEvaluator;
import io.deploystage.gate.persistence.GateResultEntity;
import io.deploystage.gate.persistence.ReleaseEntity;
import io.deploystage.platform.messaging.RejectedEvent;
import io.smallrye.mutiny.Uni;

/** Records candidates and gate results, and announces a GateDecision each time a release's outcome changes. */
@ApplicationScoped
public class GateFlow {

    public Uni<List<SpecificRecordBase>> onReleaseCandidate(ReleaseCandidate candidate) {
        if (candidate.getRequiredGates().contains(GateStage.UNKNOWN)) {
            throw new RejectedEvent("requiredGates holds a gate stage this version does not know");
        }
        ReleaseEntity release = new ReleaseEntity();
        release.releaseId = candidate.getReleaseId();
        release.service = candidate.getService();
        release.version = candidate.getVersion();
        release.requiredGates = candidate.getRequiredGates().stream().map(Enum::name).collect(Collectors.joining(","));
        release.requestedBy = candidate.getRequestedBy();
        return ReleaseEntity.<ReleaseEntity>findById(release.releaseId)
                .chain(existing -> existing != null ? Uni.createFrom().item(existing) : release.<ReleaseEntity>persist())
                .chain(saved -> evaluate(saved, candidate.getEventId()));
    }

    public Uni<List<SpecificRecordBase>> onGateResult(GateResult result) {
        if (result.getStage() == GateStage.UNKNOWN || result.getVerdict() == GateVerdict.UNKNOWN) {
            throw new RejectedEvent("stage or verdict holds a value this version does not know");
        }
        GateResultEntity row = new GateResultEntity();
        row.eventId = result.getEventId();
        row.releaseId = result.getReleaseId();
        row.stage = result.getStage().name();
        row.verdict = result.getVerdict().name();
        row.occurredAt = result.getOccurredAt();
        return row.persist()
                .chain(() -> ReleaseEntity.<ReleaseEntity>findById(result.getReleaseId()))
                .chain(release -> release == null ? Uni.createFrom().item(List.<SpecificRecordBase>of())
                        : evaluate(release, result.getEventId()));
    }

    private Uni<List<SpecificRecordBase>> evaluate(ReleaseEntity release, UUID cause) {
        return GateResultEntity.<GateResultEntity>list("releaseId = ?1 order by occurredAt", release.releaseId)
                .map(results -> {
                    Map<String, String> latest = new HashMap<>();
                    results.forEach(r -> latest.put(r.stage, r.verdict));
                    Set<String> required = Arrays.stream(release.requiredGates.split(",")).filter(s -> !s.isBlank())
                            .collect(Collectors.toSet());
                    GateEvaluator.Outcome outcome = GateEvaluator.evaluate(required, latest);
                    if (outcome.name().equals(release.lastOutcome)) {
                        return List.<SpecificRecordBase>of();
                    }
                    release.lastOutcome = outcome.name();
                    return List.<SpecificRecordBase>of(GateDecision.newBuilder()
                            .setEventId(EventEnvelope.derivedId(cause, "gate-decision"))
                            .setReleaseId(release.releaseId)
                            .setOccurredAt(Instant.now())
                            .setCausationId(cause.toString())
                            .setService(release.service)
                            .setVersion(release.version)
                            .setOutcome(GateOutcome.valueOf(outcome.name()))
                            .setReasons(List.of())
                            .build());
                });
    }
}
