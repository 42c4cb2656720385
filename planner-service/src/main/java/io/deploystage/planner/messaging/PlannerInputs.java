package io.deploystage.planner.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.deploystage.events.GateDecision;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.planner.application.PlanningFlow;
import io.deploystage.platform.inbox.EventInbox;
import io.smallrye.mutiny.Uni;

/** The planner's Kafka inputs: gate decisions and release candidates. */
@ApplicationScoped
public class PlannerInputs {

    private final EventInbox inbox;
    private final PlanningFlow flow;

    PlannerInputs(EventInbox inbox, PlanningFlow flow) {
        this.inbox = inbox;
        this.flow = flow;
    }

    @Incoming("gate-decisions")
    Uni<Void> gateDecision(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, GateDecision.class, flow::onGateDecision);
    }

    @Incoming("release-candidates")
    Uni<Void> releaseCandidate(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, ReleaseCandidate.class, flow::onReleaseCandidate);
    }
}
