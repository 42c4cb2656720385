package io.deploystage.planner.domain;

import java.util.List;
import java.util.Map;

/**
 * How a service is deployed in one environment: deploy and rollback commands, migration commands, the traffic
 * switch, smoke checks, instances, metric queries, flags, the default thresholds, and where each instance (or colour)
 * says which version it runs ({@code versionUrls}: the body contains the version).
 */
public record EnvironmentSpec(CommandTemplate deploy, CommandTemplate rollback, CommandTemplate migrate, CommandTemplate migrateRollback,
        CommandTemplate trafficSwitch, CommandTemplate flagSet, List<SmokeCheck> smokeChecks, List<String> instances,
        Map<String, String> metricQueries, List<String> flags, Thresholds thresholds, Map<String, String> versionUrls) {

    public EnvironmentSpec {
        smokeChecks = smokeChecks == null ? List.of() : List.copyOf(smokeChecks);
        instances = instances == null ? List.of() : List.copyOf(instances);
        metricQueries = metricQueries == null ? Map.of() : Map.copyOf(metricQueries);
        flags = flags == null ? List.of() : List.copyOf(flags);
        thresholds = thresholds == null ? Thresholds.defaults() : thresholds;
        versionUrls = versionUrls == null ? Map.of() : Map.copyOf(versionUrls);
    }
}
