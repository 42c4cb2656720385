package io.deploystage.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A send whose answer never comes (the registry's lost response) is given up and made again, within a limit. */
class EventClientAttemptsTest {

    private final ExecutorService executor = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void anAttemptWithoutAnswerIsInterruptedAndMadeAgain() {
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        String result = EventClient.within(executor, "publishing to x", () -> {
            if (attempts.incrementAndGet() == 1) {
                try {
                    Thread.sleep(60_000); // the answer that never comes
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                    throw e;
                }
            }
            return "sent";
        }, Duration.ofMillis(200), Duration.ofSeconds(5));
        assertEquals("sent", result);
        assertEquals(2, attempts.get());
        assertEquals(1, interrupted.get(), "the attempt given up is stopped, not left running");
    }

    @Test
    void noAnswerAtAllFailsAfterTheLimitSayingWhat() {
        AtomicInteger attempts = new AtomicInteger();
        long start = System.nanoTime();
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> EventClient.within(executor, "publishing to x", () -> {
            attempts.incrementAndGet();
            Thread.sleep(60_000);
            return "never";
        }, Duration.ofMillis(300), Duration.ofSeconds(1)));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(failed.getMessage().startsWith("publishing to x took more than 1 s"), failed.getMessage());
        assertTrue(attempts.get() >= 3, attempts + " attempts");
        assertTrue(millis >= 1_000 && millis < 5_000, millis + " ms");
    }

    @Test
    void aRefusalIsNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> EventClient.within(executor, "publishing to x", () -> {
            attempts.incrementAndGet();
            throw new IllegalArgumentException("refused");
        }, Duration.ofMillis(300), Duration.ofSeconds(1)));
        assertEquals(1, attempts.get());
        assertTrue(failed.getMessage().contains("refused"), failed.getMessage());
    }
}
