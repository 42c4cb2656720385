package io.deploystage.executor.application;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The deployments this instance is driving, each with a cancellation signal: a rollback or an abort cancels the step
 * that waits (health, approval) at once; a running command is left to finish within its timeout, never killed halfway.
 */
@ApplicationScoped
public class RunningSteps {

    private final Map<UUID, CompletableFuture<Void>> driven = new ConcurrentHashMap<>();

    /** Claims the deployment for a driver; false when one already drives it. */
    boolean claim(UUID deploymentId) {
        return driven.putIfAbsent(deploymentId, new CompletableFuture<>()) == null;
    }

    boolean isDriven(UUID deploymentId) {
        return driven.containsKey(deploymentId);
    }

    void release(UUID deploymentId) {
        driven.remove(deploymentId);
    }

    /** The signal the current step of the deployment watches; a fresh one after each cancellation. */
    CompletableFuture<Void> signal(UUID deploymentId) {
        return driven.computeIfAbsent(deploymentId, id -> new CompletableFuture<>());
    }

    /** Wakes the deployment's waiting step so its driver re-reads the deployment. */
    void cancel(UUID deploymentId) {
        driven.computeIfPresent(deploymentId, (id, old) -> {
            old.complete(null);
            return new CompletableFuture<>();
        });
    }
}
