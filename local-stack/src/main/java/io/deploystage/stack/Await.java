package io.deploystage.stack;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Waits for a condition with a deadline, for the tests: polls every 100 ms and fails with what it last saw. */
public final class Await {

    private Await() {
    }

    /** The first value of {@code probe} that satisfies {@code done}; an exception from the probe counts as not yet. */
    public static <T> T until(Duration timeout, String what, Callable<T> probe, Predicate<T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = null;
        while (true) {
            try {
                T value = probe.call();
                if (done.test(value)) {
                    return value;
                }
                last = value;
            } catch (Exception notYet) {
                last = notYet;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what + "; last saw " + last);
            }
            LocalStack.pause(100);
        }
    }

    public static void until(Duration timeout, String what, Callable<Boolean> condition) {
        until(timeout, what, condition, Boolean.TRUE::equals);
    }
}
