package io.deploystage.gate.domain;

import java.time.Duration;

/**
 * The per-service policy: how long a release may wait for its gates before it is BLOCKED, and the minimum line
 * coverage of the test gate (null: no threshold).
 */
public record GatePolicy(Duration deadline, Double minCoverage) {

    public static GatePolicy waitingAtMost(Duration deadline) {
        return new GatePolicy(deadline, null);
    }

    public GatePolicy withMinCoverage(double percent) {
        return new GatePolicy(deadline, percent);
    }
}
