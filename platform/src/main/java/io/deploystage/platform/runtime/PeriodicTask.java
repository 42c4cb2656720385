package io.deploystage.platform.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs a reactive pass at a fixed interval on a fresh, safe Vert.x context (as Hibernate Reactive requires), never
 * two passes at once, and backs off after failures: 100 ms, 200 ms, … up to 5 s, with one log line per streak.
 */
public final class PeriodicTask {

    private static final Logger LOG = Logger.getLogger(PeriodicTask.class);

    private final String name;
    private final Vertx vertx;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile long retryAfter;
    private volatile int failures;
    private final long timer;

    private final Supplier<Uni<Void>> pass;
    private volatile boolean again;

    private PeriodicTask(String name, Vertx vertx, Duration interval, Supplier<Uni<Void>> pass) {
        this.name = name;
        this.vertx = vertx;
        this.pass = pass;
        this.timer = vertx.setPeriodic(Math.max(10, interval.toMillis()), tick -> tick());
    }

    /** Runs a pass now rather than at the next tick; if one is running, another follows it at once. */
    public void trigger() {
        again = true;
        vertx.runOnContext(ignored -> tick());
    }

    private void tick() {
        if (System.nanoTime() < retryAfter || !running.compareAndSet(false, true)) {
            return;
        }
        again = false;
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> Uni.createFrom().<Void>deferred(pass::get)
                .subscribe().with(done -> {
                    failures = 0;
                    finished();
                }, failure -> {
                    backOff(failure);
                    finished();
                }));
    }

    private void finished() {
        running.set(false);
        if (again) {
            vertx.runOnContext(ignored -> tick());
        }
    }

    public static PeriodicTask start(String name, Vertx vertx, Duration interval, Supplier<Uni<Void>> pass) {
        return new PeriodicTask(name, vertx, interval, pass);
    }

    public void stop() {
        vertx.cancelTimer(timer);
    }

    private void backOff(Throwable failure) {
        failures++;
        long delayMillis = Math.min(5_000, 100L << Math.min(failures, 6));
        retryAfter = System.nanoTime() + delayMillis * 1_000_000;
        if (failures == 1 || failures % 20 == 0) {
            LOG.warnf("%s failed (%d in a row), retrying in %d ms: %s", name, failures, delayMillis, failure.toString());
        }
    }
}
