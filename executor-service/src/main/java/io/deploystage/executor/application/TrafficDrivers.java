package io.deploystage.executor.application;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.deploystage.executor.config.ExecutorConfig;
import io.deploystage.executor.runner.CommandTrafficDriver;
import io.deploystage.executor.runner.TrafficDriver;

/** The traffic driver chosen by {@code executor.traffic.driver}. */
@ApplicationScoped
public class TrafficDrivers {

    @Produces
    @ApplicationScoped
    TrafficDriver driver(ExecutorConfig config) {
        return switch (config.traffic().driver()) {
            case "command" -> new CommandTrafficDriver(() -> StepRunner.commandSettings(config));
            default -> throw new IllegalArgumentException("executor.traffic.driver must be command or kubernetes, not " + config.traffic().driver());
        };
    }
}
