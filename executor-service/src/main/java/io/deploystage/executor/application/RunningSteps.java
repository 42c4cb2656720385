package io.deploystage.executor.application;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.deploystage.executor.domain.Phase;

/**
 * The deployments this instance is driving, each with the step its driver is on and a cancellation signal: a rollback
 * or an abort cancels the step that waits (health, approval) at once; a running command is left to finish within its
 * timeout, never killed halfway. New evidence for a deployment (a verdict, an approval, committed) nudges its waiting
 * step to look again at once, rather than at its next poll.
 */
@ApplicationScoped
public class RunningSteps {

    /** The step a driver is on, as this instance started it; compared by identity, so a step run again is another one. */
    public record At(Phase phase, int index) {
        boolean is(Phase phase, int index) {
            return this.phase == phase && this.index == index;
        }
    }

    /** A driven deployment: the step it is on (null between steps), the signal that step watches and its evidence signal. */
    private record Driven(At at, CompletableFuture<Void> signal, CompletableFuture<Void> evidence) {
        Driven(At at, CompletableFuture<Void> signal) {
            this(at, signal, new CompletableFuture<>());
        }
    }

    private final Map<UUID, Driven> driven = new ConcurrentHashMap<>();

    /** Claims the deployment for a driver; false when one already drives it. */
    boolean claim(UUID deploymentId) {
        return driven.putIfAbsent(deploymentId, new Driven(null, new CompletableFuture<>())) == null;
    }

    boolean isDriven(UUID deploymentId) {
        return driven.containsKey(deploymentId);
    }

    void release(UUID deploymentId) {
        driven.remove(deploymentId);
    }

    /** The signal the current step of the deployment watches; a fresh one after each cancellation. */
    CompletableFuture<Void> signal(UUID deploymentId) {
        return driven.computeIfAbsent(deploymentId, id -> new Driven(null, new CompletableFuture<>())).signal();
    }

    /** The driver is on this step, or with null between steps (the step's result is being recorded). */
    void on(UUID deploymentId, At at) {
        driven.computeIfPresent(deploymentId, (id, old) -> new Driven(at, old.signal(), old.evidence()));
    }

    /** The step each driver is on, for those on one. */
    Map<UUID, At> onSteps() {
        Map<UUID, At> on = new java.util.HashMap<>();
        driven.forEach((id, d) -> {
            if (d.at() != null) {
                on.put(id, d.at());
            }
        });
        return on;
    }

    /** Wakes the deployment's waiting step so its driver re-reads the deployment. */
    void cancel(UUID deploymentId) {
        driven.computeIfPresent(deploymentId, (id, old) -> {
            old.signal().complete(null);
            return new Driven(old.at(), new CompletableFuture<>(), old.evidence());
        });
    }

    /**
     * Completes when evidence for the deployment is committed after this call (see {@link #nudge}); take it before
     * reading the evidence, so what is committed during the read is not missed.
     */
    CompletableFuture<Void> evidence(UUID deploymentId) {
        Driven d = driven.get(deploymentId);
        return d == null ? new CompletableFuture<>() : d.evidence();
    }

    /** New evidence for the deployment is committed: its waiting step reads it now. */
    void nudge(UUID deploymentId) {
        driven.computeIfPresent(deploymentId, (id, old) -> {
            old.evidence().complete(null);
            return new Driven(old.at(), old.signal(), new CompletableFuture<>());
        });
    }

    /**
     * Wakes the step only if the driver is still on the step seen ({@code seen}, by identity): a check that read the
     * deployment while the driver recorded that step's result and went on must not cancel the next step.
     */
    void cancelIfStillAt(UUID deploymentId, At seen) {
        driven.computeIfPresent(deploymentId, (id, old) -> {
            if (old.at() != seen) {
                return old;
            }
            old.signal().complete(null);
            return new Driven(old.at(), new CompletableFuture<>(), old.evidence());
        });
    }
}
