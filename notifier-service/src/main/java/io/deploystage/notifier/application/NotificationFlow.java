package io.deploystage.notifier.application;

import java.time.Instant;
import java.util.ArrayList;
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
import io.deploystage.notifier.config.NotifierConfig;
import io.deploystage.notifier.domain.Announcement;
import io.deploystage.notifier.domain.Notice;
import io.deploystage.notifier.domain.TeamsCard;
import io.deploystage.notifier.persistence.DeliveryEntity;
import io.deploystage.platform.persistence.JsonText;
import io.smallrye.mutiny.Uni;

/**
 * Decides which events the team hears about and records one delivery per (event, destination), in the consuming
 * transaction. The log destination is delivered at once; HTTP destinations are sent by the {@link DeliveryWorker}.
 */
@ApplicationScoped
public class NotificationFlow {

    private static final Logger LOG = Logger.getLogger(NotificationFlow.class);

    private final NotifierConfig config;

    NotificationFlow(NotifierConfig config) {
        this.config = config;
    }

    public Uni<List<SpecificRecordBase>> onOutcome(DeploymentOutcome outcome) {
        boolean deployed = outcome.getOutcome() == DeploymentResult.DEPLOYED;
        String summary = deployed ? Announcement.deployed(outcome.getService(), outcome.getVersion())
                : Announcement.notDeployed(outcome.getService(), outcome.getVersion(), outcome.getOutcome().name(), outcome.getReason());
        return notify(outcome, new Notice(deployed ? "deployed" : "not-deployed", outcome.getReleaseId(), outcome.getService(),
                outcome.getVersion(), "production", outcome.getStrategy().name(), outcome.getOutcome().name(), summary, outcome.getReason()));
    }

    public Uni<List<SpecificRecordBase>> onGateDecision(GateDecision decision) {
        if (decision.getOutcome() != GateOutcome.BLOCKED) {
            return Uni.createFrom().item(List.of());
        }
        String reasons = String.join("; ", decision.getReasons().stream().filter(r -> r.getMessage().startsWith("BLOCKS"))
                .map(r -> r.getMessage()).toList());
        return notify(decision, new Notice("blocked", decision.getReleaseId(), decision.getService(), decision.getVersion(), "-", "-",
                "BLOCKED", Announcement.blocked(decision.getService(), decision.getVersion()), reasons));
    }

    public Uni<List<SpecificRecordBase>> onRollback(RollbackCommand command) {
        return notify(command, new Notice("rollback-ordered", command.getReleaseId(), null, null, "production", "-", "ROLLING_BACK",
                Announcement.rollback(command.getDeploymentId(), command.getReason()), command.getReason()));
    }

    public Uni<List<SpecificRecordBase>> onStepEvent(StepEvent step) {
        return Uni.createFrom().item(List.of());
    }

    public Uni<List<SpecificRecordBase>> onHealthVerdict(HealthVerdict verdict) {
        return Uni.createFrom().item(List.of());
    }

    private Uni<List<SpecificRecordBase>> notify(SpecificRecordBase subject, Notice notice) {
        UUID subjectId = EventEnvelope.eventId(subject);
        List<SpecificRecordBase> records = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String name : config.routeFor(notice.service() == null ? "*" : notice.service())) {
            NotifierConfig.Destination destination = config.destinations().get(name);
            if (destination == null) {
                LOG.errorf("Release %s: route names destination '%s', which is not configured", notice.releaseId(), name);
                continue;
            }
            if (destination.kind().equals("changelog") && !notice.kind().equals("deployed")) {
                continue;
            }
            DeliveryEntity delivery = new DeliveryEntity();
            delivery.id = EventEnvelope.derivedId(subjectId, "delivery/" + name);
            delivery.releaseId = notice.releaseId();
            delivery.subjectEventId = subjectId;
            delivery.destination = name;
            delivery.kind = destination.kind();
            delivery.summary = notice.summary().length() > 2000 ? notice.summary().substring(0, 2000) : notice.summary();
            delivery.body = JsonText.write(switch (destination.kind()) {
                case "slack" -> notice.slackPayload(config.plansBaseUrl().orElse(null));
                case "teams" -> TeamsCard.of(notice, config.plansBaseUrl().orElse(null));
                default -> notice.webhookPayload(subjectId.toString());
            });
            delivery.createdAt = Instant.now();
            delivery.updatedAt = delivery.createdAt;
            delivery.nextAttemptAt = delivery.createdAt;
            if (destination.kind().equals("log")) {
                LOG.infof("Release %s: %s", notice.releaseId(), notice.summary());
                delivery.status = "DELIVERED";
                delivery.attempts = 1;
                records.add(record(delivery, DeliveryStatus.DELIVERED));
            } else {
                delivery.status = "PENDING";
            }
            chain = chain.call(() -> DeliveryEntity.findById(delivery.id)
                    .chain(existing -> existing != null ? Uni.createFrom().voidItem() : delivery.persist().replaceWithVoid()));
        }
        return chain.replaceWith(records);
    }

    /** The NotificationRecord of one attempt; its id is derived from the delivery and the attempt number. */
    public static NotificationRecord record(DeliveryEntity delivery, DeliveryStatus status) {
        return NotificationRecord.newBuilder()
                .setEventId(EventEnvelope.derivedId(delivery.id, "attempt/" + delivery.attempts))
                .setReleaseId(delivery.releaseId)
                .setOccurredAt(Instant.now())
                .setCausationId(delivery.subjectEventId.toString())
                .setDestination(delivery.destination)
                .setSubjectEventId(delivery.subjectEventId.toString())
                .setAttempt(delivery.attempts)
                .setStatus(status)
                .setSummary(delivery.summary)
                .build();
    }
}
