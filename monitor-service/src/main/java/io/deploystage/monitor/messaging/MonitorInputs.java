package io.deploystage.monitor.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.MetricSample;
import io.deploystage.events.StepEvent;
import io.deploystage.monitor.application.MonitoringFlow;
import io.deploystage.platform.inbox.EventInbox;
import io.smallrye.mutiny.Uni;

/** The monitor's Kafka inputs: metric samples, step events and plans. */
@ApplicationScoped
public class MonitorInputs {

    private final EventInbox inbox;
    private final MonitoringFlow flow;

    MonitorInputs(EventInbox inbox, MonitoringFlow flow) {
        this.inbox = inbox;
        this.flow = flow;
    }

    @Incoming("metric-samples")
    Uni<Void> metricSample(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, MetricSample.class, flow::onMetricSample);
    }

    @Incoming("step-events")
    Uni<Void> stepEvent(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, StepEvent.class, flow::onStepEvent);
    }

    @Incoming("deployment-plans")
    Uni<Void> plan(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, DeploymentPlan.class, flow::onPlan);
    }
}
