package io.deploystage.notifier.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.GateDecision;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.RollbackCommand;
import io.deploystage.events.StepEvent;
import io.deploystage.notifier.application.NotificationFlow;
import io.deploystage.platform.inbox.EventInbox;
import io.smallrye.mutiny.Uni;

/** The notifier's Kafka inputs: outcomes, decisions, steps, verdicts and rollbacks. */
@ApplicationScoped
public class NotifierInputs {

    private final EventInbox inbox;
    private final NotificationFlow flow;

    NotifierInputs(EventInbox inbox, NotificationFlow flow) {
        this.inbox = inbox;
        this.flow = flow;
    }

    @Incoming("release-candidates")
    Uni<Void> candidate(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, io.deploystage.events.ReleaseCandidate.class, flow::onCandidate);
    }

    @Incoming("deployment-outcomes")
    Uni<Void> outcome(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, DeploymentOutcome.class, flow::onOutcome);
    }

    @Incoming("gate-decisions")
    Uni<Void> gateDecision(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, GateDecision.class, flow::onGateDecision);
    }

    /**
     * Steps and verdicts come in polled batches, one transaction per poll: at a thousand deployments under way they are
     * dozens a second, and almost none of them asks for a notice (a transaction per record was most of the notifier's work).
     */
    @Incoming("step-events")
    Uni<Void> stepEvents(ConsumerRecords<String, byte[]> records) {
        return inbox.consumeBatch(records, StepEvent.class, flow::onStepEvent);
    }

    @Incoming("health-verdicts")
    Uni<Void> healthVerdicts(ConsumerRecords<String, byte[]> records) {
        return inbox.consumeBatch(records, HealthVerdict.class, flow::onHealthVerdict);
    }

    @Incoming("rollback-commands")
    Uni<Void> rollback(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, RollbackCommand.class, flow::onRollback);
    }
}
