package io.deploystage.executor.runner;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.PlanStep;

/**
 * Moves traffic for a TRAFFIC step: a weight for a canary ({@code trafficPercent} of traffic on the instance the step
 * names), or a switch to a colour for blue/green. Blocking: called off the event loop.
 */
public interface TrafficDriver {

    /** Moves the traffic; {@code fence} is the step's fencing token, for a driver whose target can refuse a stale one. */
    StepResult apply(DeploymentPlan plan, PlanStep step, Fence fence);
}
