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

    /**
     * How many bytes of findings one gate result may carry (its id, title and acceptance, UTF-8): below the broker's
     * message size (1 MiB by default) with room for the rest of the event. A larger report keeps every open critical
     * or high finding and as many of the others as fit, by severity; see {@link io.deploystage.gate.domain.FindingBudget}.
     */
    @WithDefault("524288")
    int maxFindingsBytes();

    /** Minimum line coverage of the test gate in percent, by service name; a service not listed has none. */
    Map<String, Double> minCoverage();

    default GatePolicy policyFor(String service) {
        return new GatePolicy(deadline(), minCoverage().get(service));
    }
}
