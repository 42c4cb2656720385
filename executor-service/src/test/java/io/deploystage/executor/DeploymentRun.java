package io.deploystage.executor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.StepEvent;
import io.deploystage.events.Topics;
import io.deploystage.events.Verdict;
import io.deploystage.stack.EventClient;

/**
 * Publishes plans and follows their deployments on Kafka: the step events and outcome of each. While it waits it
 * stands in for the monitor, sending a HEALTHY verdict for every deployment it is told is healthy every 250 ms.
 */
final class DeploymentRun implements AutoCloseable {

    private final EventClient client;
    private final EventClient.Reader reader;
    private final Set<UUID> healthy = ConcurrentHashMap.newKeySet();
    private final List<StepEvent> seenSteps = new ArrayList<>();
    private final List<DeploymentOutcome> outcomes = new ArrayList<>();
    private final List<DeploymentPlan> plans = new ArrayList<>();
    private long lastVerdicts;

    DeploymentRun(EventClient client) {
        this.client = client;
        this.reader = client.reader(List.of(Topics.STEP_EVENTS, Topics.DEPLOYMENT_OUTCOMES));
    }

    /** Publishes the plan; its health waits are answered HEALTHY if {@code healthy}. */
    DeploymentPlan start(DeploymentPlan plan, boolean healthy) {
        plans.add(plan);
        if (healthy) {
            this.healthy.add(plan.getEventId());
        }
        client.publish(plan);
        return plan;
    }

    void stopAnsweringHealthy(DeploymentPlan plan) {
        healthy.remove(plan.getEventId());
    }

    /** A verdict on the last 250 ms of the canary cohort in production. */
    static HealthVerdict verdict(DeploymentPlan plan, Verdict verdict, String reason) {
        return verdict(plan, verdict, reason, io.deploystage.events.Environment.PRODUCTION);
    }

    static HealthVerdict verdict(DeploymentPlan plan, Verdict verdict, String reason, io.deploystage.events.Environment environment) {
        Instant now = Instant.now();
        return HealthVerdict.newBuilder()
                .setEnvironment(environment)
                .setCohort(io.deploystage.events.Cohort.CANARY)
                .setWindowStart(now.minusMillis(250))
                .setWindowEnd(now)
                .setEventId(UUID.randomUUID())
                .setReleaseId(plan.getReleaseId())
                .setOccurredAt(Instant.now())
                .setCausationId(plan.getEventId().toString())
                .setDeploymentId(plan.getEventId().toString())
                .setCheck("ERROR_RATE")
                .setVerdict(verdict)
                .setValue(verdict == Verdict.FAILING ? 31.0 : 0.2)
                .setBaseline(0.1)
                .setThreshold(5.0)
                .setSampleCount(400)
                .setReason(reason)
                .build();
    }

    /** Waits for the deployment's outcome, calling {@code onStep} for each step event as it arrives. */
    DeploymentOutcome awaitOutcome(DeploymentPlan plan, Duration timeout, Consumer<StepEvent> onStep) {
        return awaitOutcome(plan, null, timeout, onStep);
    }

    /** Waits for the deployment's outcome {@code wanted} (any when null): an aborted deployment may end again, rolled back. */
    DeploymentOutcome awaitOutcome(DeploymentPlan plan, DeploymentResult wanted, Duration timeout, Consumer<StepEvent> onStep) {
        String id = plan.getEventId().toString();
        long deadline = System.nanoTime() + timeout.toNanos();
        int handled = 0;
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, Object> record : reader.poll(Duration.ofMillis(100))) {
                if (record.value() instanceof StepEvent step) {
                    seenSteps.add(step);
                } else if (record.value() instanceof DeploymentOutcome outcome) {
                    outcomes.add(outcome);
                }
            }
            List<StepEvent> mine = steps(plan);
            for (; handled < mine.size(); handled++) {
                onStep.accept(mine.get(handled));
            }
            DeploymentOutcome outcome = outcomes.stream().filter(o -> o.getDeploymentId().equals(id) && (wanted == null || o.getOutcome() == wanted))
                    .findFirst().orElse(null);
            if (outcome != null) {
                return outcome;
            }
            if (System.currentTimeMillis() - lastVerdicts > 250) {
                lastVerdicts = System.currentTimeMillis();
                for (DeploymentPlan p : seenPlans()) {
                    for (var environment : List.of(io.deploystage.events.Environment.STAGING, io.deploystage.events.Environment.PRODUCTION)) {
                        client.publish(verdict(p, Verdict.HEALTHY, "error rate 0.2% within 5%", environment));
                    }
                }
            }
        }
        throw new AssertionError("No outcome for deployment " + id + " within " + timeout + "; steps: "
                + steps(plan).stream().map(s -> s.getStepId() + " " + s.getStatus()).toList());
    }

    DeploymentOutcome awaitOutcome(DeploymentPlan plan, Duration timeout) {
        return awaitOutcome(plan, timeout, step -> { });
    }

    private List<DeploymentPlan> seenPlans() {
        return plans.stream().filter(p -> healthy.contains(p.getEventId())).toList();
    }

    List<StepEvent> steps(DeploymentPlan plan) {
        String id = plan.getEventId().toString();
        return seenSteps.stream().filter(s -> s.getDeploymentId().equals(id)).toList();
    }

    List<DeploymentOutcome> outcomes() {
        return List.copyOf(outcomes);
    }

    @Override
    public void close() {
        reader.close();
    }
}
