package io.deploystage.gate.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.deploystage.events.GateResult;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.gate.application.GateFlow;
import io.deploystage.platform.inbox.EventInbox;
import io.smallrye.mutiny.Uni;

/** The gate's Kafka inputs: release candidates and gate results from CI. */
@ApplicationScoped
public class GateInputs {

    private final EventInbox inbox;
    private final GateFlow flow;

    GateInputs(EventInbox inbox, GateFlow flow) {
        this.inbox = inbox;
        this.flow = flow;
    }

    /** A polled batch of candidates is recorded and evaluated set-wise, in one transaction. */
    @Incoming("release-candidates")
    Uni<Void> releaseCandidates(ConsumerRecords<String, byte[]> records) {
        return inbox.consumeAll(records, ReleaseCandidate.class, GateEvents::candidate, flow::onReleaseCandidates);
    }

    /** Gate results come in bursts from CI: a polled batch is decided set-wise, in one transaction. */
    @Incoming("gate-results")
    Uni<Void> gateResults(ConsumerRecords<String, byte[]> records) {
        return inbox.consumeAll(records, GateResult.class, GateEvents::report, flow::onGateResults);
    }
}
