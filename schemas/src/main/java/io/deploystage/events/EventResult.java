package io.deploystage.events;

import org.apache.avro.specific.SpecificRecordBase;

/**
 * The one enum field that says how an event came out (a gate decision's outcome, a verdict, a delivery's status …), for
 * the services' counters of what they published: a bounded set of values, so it can be a metric label. "-" for an
 * event that has none.
 */
public final class EventResult {

    private EventResult() {
    }

    public static String of(SpecificRecordBase event) {
        Object result = null;
        if (event instanceof GateResult e) {
            result = e.getVerdict();
        } else if (event instanceof GateDecision e) {
            result = e.getOutcome();
        } else if (event instanceof DeploymentPlan e) {
            result = e.getStrategy();
        } else if (event instanceof StepEvent e) {
            result = e.getStatus();
        } else if (event instanceof DeploymentOutcome e) {
            result = e.getOutcome();
        } else if (event instanceof HealthVerdict e) {
            result = e.getVerdict();
        } else if (event instanceof NotificationRecord e) {
            result = e.getStatus();
        } else if (event instanceof OperatorCommand e) {
            result = e.getAction();
        }
        return result == null ? "-" : result.toString();
    }
}
