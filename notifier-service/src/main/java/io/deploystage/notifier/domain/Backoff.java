package io.deploystage.notifier.domain;

import java.time.Duration;

/**
 * Exponential back-off with full jitter: attempt n (from 1) waits a random share of min(max, base × 2^(n-1)), so
 * retries of many notifications spread out instead of hammering a destination together. The random share is a
 * parameter: 0.5 with base 200 ms at attempt 3 waits 400 ms.
 */
public final class Backoff {

    private Backoff() {
    }

    public static Duration delay(int attempt, Duration base, Duration max, double randomShare) {
        long ceiling = Math.min(max.toMillis(), base.toMillis() << Math.min(Math.max(attempt - 1, 0), 20));
        return Duration.ofMillis(Math.max(1, Math.round(ceiling * Math.min(Math.max(randomShare, 0), 1))));
    }
}
