package io.deploystage.gate.config;

import java.time.Duration;
import java.util.Map;

import io.deploystage.gate.domain.GatePolicy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The gate policy: deadline for missing gates and per-service coverage thresholds. */
@ConfigMapping(prefix = "gate")
public interface GateConfig {

    /** How long a release may wait for a required gate before the decision turns from WAITING to BLOCKED. */
    @WithDefault("PT2H")
    Duration deadline();

    /** How often WAITING releases are checked against the deadline. */
    @WithDefault("30s")
    Duration deadlineSweep();

    /** Minimum line coverage of the test gate in percent, by service name; a service not listed has none. */
    Map<String, Double> minCoverage();

    default GatePolicy policyFor(String service) {
        return new GatePolicy(deadline(), minCoverage().get(service));
    }
}
