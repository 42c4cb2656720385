package io.deploystage.executor.application;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.deploystage.executor.config.ExecutorConfig;
import io.deploystage.executor.runner.CommandTrafficDriver;
import io.deploystage.executor.runner.KubernetesTrafficDriver;
import io.deploystage.executor.runner.TrafficDriver;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** The traffic driver chosen by {@code executor.traffic.driver}. */
@ApplicationScoped
public class TrafficDrivers {

    @Produces
    @ApplicationScoped
    TrafficDriver driver(ExecutorConfig config) {
        return switch (config.traffic().driver()) {
            case "command" -> new CommandTrafficDriver(() -> StepRunner.commandSettings(config));
            // the client reads ~/.kube/config or the in-cluster service account, as kubectl does
            case "kubernetes" -> new KubernetesTrafficDriver(new KubernetesClientBuilder().build(), config.traffic().namespace());
            default -> throw new IllegalArgumentException("executor.traffic.driver must be command or kubernetes, not " + config.traffic().driver());
        };
    }
}
