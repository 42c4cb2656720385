package io.deploystage.executor.runner;

import java.util.Map;
import java.util.UUID;

/**
 * The fencing token a step's command carries to its target. It is drawn when the step is written STARTED, under the
 * deployment's lock and its driver's lease, from one sequence for every deployment: whatever a driver starts after
 * another lost its lease carries a higher token than anything the stale one was given. A target that keeps the
 * highest token it has acted on, and refuses a lower one, cannot be changed by a driver that stalled past its lease
 * (a GC pause, a stopped process) and woke after the takeover: the executor's own check stops the stale driver from
 * recording, only the target can stop it from acting.
 */
public record Fence(UUID deploymentId, String stepId, long token) {

    /** The token, a decimal number that only grows. */
    public static final String TOKEN = "DEPLOYSTAGE_FENCING_TOKEN";
    public static final String DEPLOYMENT = "DEPLOYSTAGE_DEPLOYMENT_ID";
    public static final String STEP = "DEPLOYSTAGE_STEP_ID";

    /** What the command's environment gets. */
    public Map<String, String> environment() {
        return Map.of(TOKEN, Long.toString(token), DEPLOYMENT, deploymentId.toString(), STEP, stepId);
    }
}
