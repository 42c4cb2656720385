package io.deploystage.planner.domain;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How a service is deployed, per environment, with its owners and escalation contacts; versioned by the registry. */
public record DeployDescriptor(String service, Map<Environment, EnvironmentSpec> environments, List<String> owners,
        String escalationContact, String teamChannel) {

    public DeployDescriptor {
        environments = Map.copyOf(environments);
        owners = owners == null ? List.of() : List.copyOf(owners);
    }

    public EnvironmentSpec of(Environment environment) {
        return environments.get(environment);
    }

    /** The same descriptor with its default thresholds overridden in every environment. */
    public DeployDescriptor withOverride(ThresholdOverride override) {
        if (override == null) {
            return this;
        }
        Map<Environment, EnvironmentSpec> overridden = new java.util.EnumMap<>(Environment.class);
        environments.forEach((environment, s) -> overridden.put(environment, new EnvironmentSpec(s.deploy(), s.rollback(), s.migrate(),
                s.migrateRollback(), s.trafficSwitch(), s.flagSet(), s.smokeChecks(), s.instances(), s.metricQueries(), s.flags(),
                override.applyTo(s.thresholds()), s.versionUrls())));
        return new DeployDescriptor(service, overridden, owners, escalationContact, teamChannel);
    }

    /** Every problem that makes the descriptor unusable, in words; empty when it is valid. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!CommandTemplate.isSafe(service)) {
            problems.add("service: '" + CommandTemplate.abbreviate(String.valueOf(service)) + "' is not a safe name");
        }
        for (Environment environment : Environment.values()) {
            EnvironmentSpec spec = environments.get(environment);
            String at = environment.label();
            if (spec == null) {
                problems.add(at + ": missing (staging and production are both required: staging first, always)");
                continue;
            }
            required(problems, spec.deploy(), at + ".deploy");
            required(problems, spec.rollback(), at + ".rollback");
            optional(problems, spec.migrate(), at + ".migrate");
            optional(problems, spec.migrateRollback(), at + ".migrateRollback");
            optional(problems, spec.trafficSwitch(), at + ".trafficSwitch");
            optional(problems, spec.flagSet(), at + ".flagSet");
            if (spec.instances().isEmpty()) {
                problems.add(at + ".instances: at least one instance");
            }
            spec.instances().forEach(i -> {
                if (!CommandTemplate.isSafe(i)) {
                    problems.add(at + ".instances: '" + CommandTemplate.abbreviate(i) + "' is not a safe instance name");
                }
            });
            spec.flags().forEach(f -> {
                if (!CommandTemplate.isSafe(f)) {
                    problems.add(at + ".flags: '" + CommandTemplate.abbreviate(f) + "' is not a safe flag key");
                }
            });
            spec.versionUrls().forEach((instance, url) -> {
                if (!spec.instances().contains(instance) && !List.of("blue", "green").contains(instance)) {
                    problems.add(at + ".versionUrls: '" + CommandTemplate.abbreviate(instance) + "' is neither an instance nor a colour (blue, green)");
                }
                if (!isHttpUrl(url)) {
                    problems.add(at + ".versionUrls[" + CommandTemplate.abbreviate(instance) + "]: must be an absolute http(s) URL");
                }
            });
            if (spec.smokeChecks().isEmpty()) {
                problems.add(at + ".smokeChecks: at least one smoke check of a critical user journey");
            }
            for (SmokeCheck check : spec.smokeChecks()) {
                problems.addAll(smokeProblems(check, at + ".smokeChecks[" + check.name() + "]"));
            }
            Thresholds t = spec.thresholds();
            if (t.errorRatePercent() <= 0 || t.errorRatePercent() > 100 || t.p95LatencyMs() <= 0 || t.minSamples() < 1
                    || t.businessMetricDropPercent() < 0 || t.businessMetricDropPercent() > 100 || t.maxRelativeDegradation() < 0) {
                problems.add(at + ".thresholds: errorRatePercent in (0, 100], p95LatencyMs > 0, minSamples >= 1, "
                        + "businessMetricDropPercent in [0, 100], maxRelativeDegradation >= 0");
            }
            if (t.p50LatencyMs() != null && t.p50LatencyMs() <= 0 || t.p99LatencyMs() != null && t.p99LatencyMs() <= 0 || t.newWarnLines() < 0) {
                problems.add(at + ".thresholds: p50LatencyMs and p99LatencyMs > 0 when given, newWarnLines >= 0");
            }
        }
        if (owners.isEmpty()) {
            problems.add("owners: at least one owner");
        }
        if (escalationContact == null || escalationContact.isBlank()) {
            problems.add("escalationContact: who to call when a rollback fails");
        }
        return problems;
    }

    private static void required(List<String> problems, CommandTemplate template, String where) {
        if (template == null) {
            problems.add(where + ": required");
        } else {
            problems.addAll(template.problems(where));
        }
    }

    private static void optional(List<String> problems, CommandTemplate template, String where) {
        if (template != null) {
            problems.addAll(template.problems(where));
        }
    }

    /** An absolute http or https URL with a host. */
    public static boolean isHttpUrl(String url) {
        try {
            URI uri = URI.create(url);
            return List.of("http", "https").contains(uri.getScheme()) && uri.getHost() != null;
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    private static List<String> smokeProblems(SmokeCheck check, String where) {
        List<String> problems = new ArrayList<>();
        if (check.name() == null || !CommandTemplate.isSafe(check.name())) {
            problems.add(where + ": a smoke check needs a safe name");
        }
        if (!List.of("GET", "HEAD", "POST").contains(check.method())) {
            problems.add(where + ": method must be GET, HEAD or POST");
        }
        if (!isHttpUrl(check.url())) {
            problems.add(where + ": url must be an absolute http(s) URL");
        }
        if (check.expectStatus() < 100 || check.expectStatus() > 599) {
            problems.add(where + ": expectStatus must be an HTTP status");
        }
        return problems;
    }
}
