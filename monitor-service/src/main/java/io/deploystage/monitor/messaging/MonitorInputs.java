package io.deploystage.monitor.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.MetricSample;
import io.deploystage.events.StepEvent;
import io.deploystage.monitor.application.MonitoringFlow;
import io.deploystage.platform.inbox.EventInbox;
import io.smallrye.mutiny.Uni;

/**
 * The monitor's Kafka inputs, all through the inbox: plans and outcomes one by one, step events and metric samples in
 * polled batches.
 */
@ApplicationScoped
public class MonitorInputs {

    private final EventInbox inbox;
    private final MonitoringFlow flow;

    MonitorInputs(EventInbox inbox, MonitoringFlow flow) {
        this.inbox = inbox;
        this.flow = flow;
    }

    /** Samples come in polled batches, each applied in one transaction: they add up per cohort before they are judged. */
    @Incoming("metric-samples")
    Uni<Void> metricSamples(ConsumerRecords<String, byte[]> records) {
        return inbox.consumeAll(records, MetricSample.class, MonitoringFlow::validate, flow::onSamples);
    }

    /** Step events come in bursts (every step of every deployment) and only mark environments touched: one transaction per poll. */
    @Incoming("step-events")
    Uni<Void> stepEvents(ConsumerRecords<String, byte[]> records) {
        return inbox.consumeBatch(records, StepEvent.class, flow::onStepEvent);
    }

    @Incoming("deployment-plans")
    Uni<Void> plan(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, DeploymentPlan.class, flow::onPlan);
    }

    @Incoming("deployment-outcomes")
    Uni<Void> outcome(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, DeploymentOutcome.class, flow::onOutcome);
    }

}
