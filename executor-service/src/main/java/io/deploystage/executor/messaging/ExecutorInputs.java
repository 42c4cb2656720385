package io.deploystage.executor.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.GateDecision;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.OperatorCommand;
import io.deploystage.events.RollbackCommand;
import io.deploystage.executor.application.ExecutionFlow;
import io.deploystage.platform.inbox.EventInbox;
import io.smallrye.mutiny.Uni;

/** The executor's Kafka inputs: plans, rollback commands, operator commands, the monitor's verdicts and the gate's late blocks. */
@ApplicationScoped
public class ExecutorInputs {

    private final EventInbox inbox;
    private final ExecutionFlow flow;

    ExecutorInputs(EventInbox inbox, ExecutionFlow flow) {
        this.inbox = inbox;
        this.flow = flow;
    }

    @Incoming("deployment-plans")
    Uni<Void> plan(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, DeploymentPlan.class, flow::onPlan);
    }

    @Incoming("rollback-commands")
    Uni<Void> rollback(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, RollbackCommand.class, flow::onRollback);
    }

    @Incoming("operator-commands")
    Uni<Void> operatorCommand(ConsumerRecord<String, byte[]> record) {
        return inbox.consume(record, OperatorCommand.class, flow::onOperatorCommand);
    }

    /** The gate's decisions come in polled batches: one per release cleared, and only a late BLOCKED asks anything of the executor. */
    @Incoming("gate-decisions")
    Uni<Void> gateDecisions(ConsumerRecords<String, byte[]> records) {
        return inbox.consumeBatch(records, GateDecision.class, flow::onGateDecision);
    }

    /** Verdicts come in polled batches (at a thousand deployments under watch, several a second each). */
    @Incoming("health-verdicts")
    Uni<Void> verdicts(ConsumerRecords<String, byte[]> records) {
        return inbox.consumeAll(records, HealthVerdict.class, ExecutionFlow::verdictRow, flow::onVerdicts);
    }
}
