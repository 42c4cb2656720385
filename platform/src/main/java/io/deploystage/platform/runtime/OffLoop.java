package io.deploystage.platform.runtime;

import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs blocking or CPU-heavy work (registry look-ups, report parsing) on a worker thread and continues on the
 * caller's Vert.x context, where Hibernate Reactive must run.
 */
public final class OffLoop {

    private OffLoop() {
    }

    public static <T> Uni<T> run(Supplier<T> work) {
        Context context = Vertx.currentContext();
        Uni<T> offloaded = Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        return context == null ? offloaded : offloaded.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }
}
