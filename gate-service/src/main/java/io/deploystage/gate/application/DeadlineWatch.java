package io.deploystage.gate.application;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.deploystage.gate.config.GateConfig;
import io.deploystage.platform.outbox.Outbox;
import io.deploystage.platform.persistence.ReleaseLock;
import io.deploystage.platform.runtime.PeriodicTask;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Fail closed in time: a release still WAITING for a required gate after the deadline becomes BLOCKED. */
@ApplicationScoped
public class DeadlineWatch {

    private final GateFlow flow;
    private final Outbox outbox;
    private final GateConfig config;
    private PeriodicTask task;

    DeadlineWatch(GateFlow flow, Outbox outbox, GateConfig config) {
        this.flow = flow;
        this.outbox = outbox;
        this.config = config;
    }

    void start(@Observes StartupEvent startup, io.vertx.mutiny.core.Vertx vertx) {
        task = PeriodicTask.start("Gate deadline check", vertx.getDelegate(), config.deadlineSweep(), () -> sweep(Instant.now()));
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (task != null) {
            task.stop();
        }
    }

    /** Blocks every release still WAITING at {@code now} past the deadline; the clock is the caller's (tests step it by hand). */
    public Uni<Void> sweep(Instant now) {
        return Panache.withSession(() -> flow.overdue(now))
                .onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUniAndConcatenate(releaseId -> Panache.withTransaction(() -> ReleaseLock.lock(releaseId)
                        .chain(() -> flow.reconsider(releaseId, now))
                        .chain(outbox::stage)))
                .collect().last()
                .replaceWithVoid();
    }
}
