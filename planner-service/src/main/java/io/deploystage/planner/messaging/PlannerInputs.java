package io.deploystage.planner.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecords;
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

    /** A polled batch of decisions is planned set-wise, in one transaction. */
    @Incoming("gate-decisions")
    Uni<Void> gateDecisions(ConsumerRecords<String, byte[]> records) {
        return inbox.consumeAll(records, GateDecision.class, decision -> { }, flow::onGateDecisions);
    }

    /** A polled batch of candidates is recorded (and any release waiting for its candidate planned) in one transaction. */
    @Incoming("release-candidates")
    Uni<Void> releaseCandidates(ConsumerRecords<String, byte[]> records) {
        return inbox.consumeAll(records, ReleaseCandidate.class, PlanEvents::profile, flow::onReleaseCandidates);
    }
}
