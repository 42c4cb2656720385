package io.deploystage.notifier.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * A destination's circuit breaker: closed while it works; after {@code threshold} failed attempts in a row it opens
 * and nothing is sent to it until the cool-down has passed; then one attempt is let through (half-open): success
 * closes it, failure opens it again. Not thread-safe: the delivery worker is one pass at a time.
 */
public final class CircuitBreaker {

    private final int threshold;
    private final Duration cooldown;
    private int failures;
    private Instant openUntil;

    public CircuitBreaker(int threshold, Duration cooldown) {
        this.threshold = threshold;
        this.cooldown = cooldown;
    }

    /** Null when an attempt may be made now; otherwise when the next one may. */
    public Instant blockedUntil(Instant now) {
        return openUntil != null && now.isBefore(openUntil) ? openUntil : null;
    }

    public void succeeded() {
        failures = 0;
        openUntil = null;
    }

    /** Returns true when this failure opened the breaker. */
    public boolean failed(Instant now) {
        failures++;
        if (failures >= threshold) {
            boolean opened = openUntil == null || !now.isBefore(openUntil);
            openUntil = now.plus(cooldown);
            return opened;
        }
        return false;
    }
}
