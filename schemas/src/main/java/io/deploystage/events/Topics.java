package io.deploystage.events;

import java.util.List;
import java.util.Map;

import org.apache.avro.specific.SpecificRecord;


/** The one place that says which topic carries which event type; every topic is keyed by releaseId. */
public final class Topics {

    public static final String RELEASE_CANDIDATES = "release-candidates";
    public static final String GATE_RESULTS = "gate-results";
    public static final String GATE_DECISIONS = "gate-decisions";
    public static final String DEPLOYMENT_PLANS = "deployment-plans";
    public static final String STEP_EVENTS = "step-events";
    public static final String DEPLOYMENT_OUTCOMES = "deployment-outcomes";
    public static final String METRIC_SAMPLES = "metric-samples";
    public static final String HEALTH_VERDICTS = "health-verdicts";
    public static final String ROLLBACK_COMMANDS = "rollback-commands";
    public static final String OPERATOR_COMMANDS = "operator-commands";
    public static final String NOTIFICATION_RECORDS = "notification-records";

    /** Suffix of the dead-letter topic that goes with each topic. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    private static final Map<Class<? extends SpecificRecord>, String> BY_TYPE = Map.ofEntries(
            Map.entry(ReleaseCandidate.class, RELEASE_CANDIDATES),
            Map.entry(GateResult.class, GATE_RESULTS),
            Map.entry(GateDecision.class, GATE_DECISIONS),
            Map.entry(DeploymentPlan.class, DEPLOYMENT_PLANS),
            Map.entry(StepEvent.class, STEP_EVENTS),
            Map.entry(DeploymentOutcome.class, DEPLOYMENT_OUTCOMES),
            Map.entry(MetricSample.class, METRIC_SAMPLES),
            Map.entry(HealthVerdict.class, HEALTH_VERDICTS),
            Map.entry(RollbackCommand.class, ROLLBACK_COMMANDS),
            Map.entry(OperatorCommand.class, OPERATOR_COMMANDS),
            Map.entry(NotificationRecord.class, NOTIFICATION_RECORDS));

    private Topics() {
    }

    /** The topic that carries events of this type. */
    public static String of(Class<? extends SpecificRecord> type) {
        String topic = BY_TYPE.get(type);
        if (topic == null) {
            throw new IllegalArgumentException("No topic carries " + type.getName());
        }
        return topic;
    }

    /** Every event topic of the flow. */
    public static List<String> all() {
        return BY_TYPE.values().stream().sorted().toList();
    }

    public static String deadLetterOf(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}
