package io.deploystage.events;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import org.apache.avro.specific.SpecificRecordBase;


/** One human-readable line per event, for people watching a release go by. */
public final class EventFormatter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private EventFormatter() {
    }

    public static String line(Instant at, SpecificRecordBase event) {
        // one line per event, whatever a step's output held
        return String.format("%s  %-18s %s", TIME.format(at), event.getSchema().getName(), describe(event).strip().replaceAll("\\s*[\\r\\n]+\\s*", " | "));
    }

    public static String describe(SpecificRecordBase event) {
        if (event instanceof ReleaseCandidate e) {
            return e.getService() + " " + e.getVersion() + " submitted by " + e.getRequestedBy() + ", gates " + e.getRequiredGates();
        }
        if (event instanceof GateResult e) {
            return e.getStage() + " " + e.getVerdict() + " (" + e.getFindings().size() + " findings)";
        }
        if (event instanceof GateDecision e) {
            return e.getService() + " " + e.getVersion() + " " + e.getOutcome()
                    + (e.getReasons().isEmpty() ? "" : ": " + e.getReasons().stream().map(r -> r.getMessage()).toList());
        }
        if (event instanceof DeploymentPlan e) {
            return e.getStrategy() + " (risk " + e.getRisk() + ", " + e.getSteps().size() + " steps): " + e.getRationale();
        }
        if (event instanceof StepEvent e) {
            return String.format("%-10s %-20s %-9s %s", e.getEnvironment(), e.getStepId(), e.getStatus(),
                    e.getDetail() == null ? e.getAction() : e.getDetail());
        }
        if (event instanceof DeploymentOutcome e) {
            return e.getService() + " " + e.getVersion() + " " + e.getOutcome() + " by " + e.getStrategy()
                    + (e.getReason() == null ? "" : ": " + e.getReason());
        }
        if (event instanceof HealthVerdict e) {
            String where = e.getEnvironment() == Environment.UNKNOWN ? "" : " (" + e.getEnvironment().name().toLowerCase(java.util.Locale.ROOT)
                    + (e.getCohort() == Cohort.UNKNOWN ? "" : " " + e.getCohort().name().toLowerCase(java.util.Locale.ROOT)) + ")";
            return e.getCheck() + where + " " + e.getVerdict() + ": " + e.getReason();
        }
        if (event instanceof RollbackCommand e) {
            return "ordered by " + e.getRequestedBy() + ": " + e.getReason();
        }
        if (event instanceof OperatorCommand e) {
            return e.getAction() + " by " + e.getOperator();
        }
        if (event instanceof NotificationRecord e) {
            return e.getDestination() + " " + e.getStatus() + ": " + e.getSummary();
        }
        if (event instanceof MetricSample e) {
            return e.getService() + " " + e.getCohort() + " " + e.getErrorCount() + "/" + e.getRequestCount() + " errors";
        }
        return event.toString();
    }
}
