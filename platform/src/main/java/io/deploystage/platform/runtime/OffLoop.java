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
        return onCaller(Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()));
    }

    /**
     * As {@link #run(Supplier)}, failing with what {@code late} makes when the work gives nothing within {@code limit} (a
     * blocking client that never answers: the caller is not held for good, the stuck worker is left behind).
     */
    public static <T> Uni<T> run(Supplier<T> work, java.time.Duration limit, Supplier<RuntimeException> late) {
        return onCaller(Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .ifNoItem().after(limit).failWith(late));
    }

    /** What {@code work} gives, delivered on the subscriber's Vert.x context when it has one, whichever thread produced it. */
    public static <T> Uni<T> onCaller(Uni<T> work) {
        return Uni.createFrom().deferred(() -> {
            Context context = Vertx.currentContext();
            return context == null ? work : work.emitOn(task -> context.runOnContext(ignored -> task.run()));
        });
    }

    /** Completes after {@code delay}, on the caller's Vert.x context when it has one (where Hibernate Reactive must go on). */
    public static Uni<Void> sleep(java.time.Duration delay) {
        return Uni.createFrom().deferred(() -> {
            Context context = Vertx.currentContext();
            if (context == null) {
                return Uni.createFrom().voidItem().onItem().delayIt().by(delay);
            }
            return Uni.createFrom().<Void>emitter(done -> context.owner().setTimer(Math.max(1, delay.toMillis()),
                    id -> context.runOnContext(ignored -> done.complete(null))));
        });
    }
}
