package io.deploystage.executor.runner;

import java.util.function.Supplier;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.PlanStep;

/** Runs the step's command: the descriptor's trafficSwitch, rendered by the planner with the instance and the weight. */
public final class CommandTrafficDriver implements TrafficDriver {

    private final Supplier<CommandRunner.Settings> settings;

    public CommandTrafficDriver(Supplier<CommandRunner.Settings> settings) {
        this.settings = settings;
    }

    @Override
    public StepResult apply(DeploymentPlan plan, PlanStep step, Fence fence) {
        return CommandRunner.run(step.getCommand(), settings.get().fenced(fence));
    }
}
