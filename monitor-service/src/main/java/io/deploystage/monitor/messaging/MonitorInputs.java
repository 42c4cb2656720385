package io.deploystage.monitor.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.MetricSample;
import io.deploystage.events.StepEvent;
import io.deploystage.monitor.application.MonitoringFlow;
import io.deploystage.monitor.config.MonitorConfig;
import io.deploystage.platform.inbox.EventInbox;
import io.deploystage.platform.outbox.Outbox;
import io.deploystage.platform.outbox.OutboxRelay;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * The monitor's Kafka inputs. Plans, outcomes and step events go through the inbox one by one; metric samples come
 * in polled batches, each applied in one transaction that also records the partitions' offsets (see MonitoringFlow).
 */
@ApplicationScoped
public class MonitorInputs {

    private static final Logger LOG = Logger.getLogger(MonitorInputs.class);

    private final EventInbox inbox;
    private final MonitoringFlow flow;
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final MonitorConfig config;

    MonitorInputs(EventInbox inbox, MonitoringFlow flow, Outbox outbox, OutboxRelay relay, MonitorConfig config) {
        this.inbox = inbox;
        this.flow = flow;
        this.outbox = outbox;
        this.relay = relay;
        this.config = config;
    }

    @Incoming("metric-samples")
    Uni<Void> metricSamples(ConsumerRecords<String, byte[]> records) {
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>(records.count());
        records.forEach(all::add);
        return inbox.decodeAll(all, MetricSample.class, MonitoringFlow::validate).chain(decoded -> {
            if (decoded.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            List<MonitoringFlow.Consumed> batch = decoded.stream()
                    .map(d -> new MonitoringFlow.Consumed(d.record().topic(), d.record().partition(), d.record().offset(), d.event()))
                    .toList();
            return Uni.createFrom().deferred(() -> Panache.withTransaction(() -> flow.onSamples(batch).call(outbox::stage)))
                    .invoke(out -> {
                        if (!out.isEmpty()) {
                            relay.wake();
                        }
                    })
                    .onFailure().invoke(e -> LOG.warnf("A batch of %d samples failed, retrying: %s", batch.size(), e.toString()))
                    .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5)).atMost(config.batchAttempts())
                    .replaceWithVoid()
                    // a batch that keeps failing is parked with the reason rather than blocking its partitions for good
                    .onFailure().recoverWithUni(e -> inbox.deadLetterAll(decoded.stream().map(EventInbox.Decoded::record).toList(),
                            "processing failed after " + (config.batchAttempts() + 1) + " attempts: " + e));
        });
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
