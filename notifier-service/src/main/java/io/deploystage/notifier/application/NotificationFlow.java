package io.deploystage.notifier.application;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;
import org.jboss.logging.Logger;

import io.deploystage.events.DeliveryStatus;
import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.EventEnvelope;
import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.NotificationRecord;
import io.deploystage.events.RollbackCommand;
import io.deploystage.events.StepEvent;
import io.deploystage.notifier.domain.Announcement;
import io.deploystage.notifier.persistence.NotificationEntity;
import io.smallrye.mutiny.Uni;

/** Decides which events the team hears about and records one NotificationRecord per (event, destination). */
@ApplicationScoped
public class NotificationFlow {

    private static final Logger LOG = Logger.getLogger(NotificationFlow.class);

    public Uni<List<SpecificRecordBase>> onOutcome(DeploymentOutcome outcome) {
        String summary = outcome.getOutcome() == DeploymentResult.DEPLOYED
                ? Announcement.deployed(outcome.getService(), outcome.getVersion())
                : Announcement.notDeployed(outcome.getService(), outcome.getVersion(), outcome.getOutcome().name(), outcome.getReason());
        return notify(outcome, summary);
    }

    public Uni<List<SpecificRecordBase>> onGateDecision(GateDecision decision) {
        return decision.getOutcome() == GateOutcome.BLOCKED
                ? notify(decision, Announcement.blocked(decision.getService(), decision.getVersion()))
                : Uni.createFrom().item(List.of());
    }

    public Uni<List<SpecificRecordBase>> onRollback(RollbackCommand command) {
        return notify(command, Announcement.rollback(command.getDeploymentId(), command.getReason()));
    }

    public Uni<List<SpecificRecordBase>> onStepEvent(StepEvent step) {
        return Uni.createFrom().item(List.of());
    }

    public Uni<List<SpecificRecordBase>> onHealthVerdict(HealthVerdict verdict) {
        return Uni.createFrom().item(List.of());
    }

    private static Uni<List<SpecificRecordBase>> notify(SpecificRecordBase subject, String summary) {
        UUID subjectId = EventEnvelope.eventId(subject);
        String releaseId = EventEnvelope.releaseId(subject);
        NotificationEntity entity = new NotificationEntity();
        entity.eventId = EventEnvelope.derivedId(subjectId, "notification/" + Announcement.LOG_DESTINATION);
        entity.releaseId = releaseId;
        entity.subjectEventId = subjectId;
        entity.destination = Announcement.LOG_DESTINATION;
        entity.summary = summary;
        entity.createdAt = Instant.now();
        LOG.infof("Release %s: %s", releaseId, summary);
        NotificationRecord record = NotificationRecord.newBuilder()
                .setEventId(entity.eventId)
                .setReleaseId(releaseId)
                .setOccurredAt(Instant.now())
                .setCausationId(subjectId.toString())
                .setDestination(entity.destination)
                .setSubjectEventId(subjectId.toString())
                .setAttempt(1)
                .setStatus(DeliveryStatus.DELIVERED)
                .setSummary(summary)
                .build();
        return entity.persist().replaceWith(List.of(record));
    }
}
