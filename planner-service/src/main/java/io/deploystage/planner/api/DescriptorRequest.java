package io.deploystage.planner.api;

import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.deploystage.planner.domain.CommandTemplate;
import io.deploystage.planner.domain.DeployDescriptor;
import io.deploystage.planner.domain.Environment;
import io.deploystage.planner.domain.EnvironmentSpec;
import io.deploystage.planner.domain.SmokeCheck;
import io.deploystage.planner.domain.Thresholds;

/** A deploy descriptor as a service registers it: commands are argv arrays with placeholders. */
public record DescriptorRequest(
        @NotNull @Valid Spec staging,
        @NotNull @Valid Spec production,
        @NotEmpty @Size(max = 20) List<@NotBlank @Size(max = 200) String> owners,
        @NotBlank @Size(max = 200) String escalationContact,
        @Size(max = 200) String teamChannel) {

    /** One environment. */
    public record Spec(
            @NotEmpty @Size(max = 50) List<@NotNull @Size(max = 500) String> deploy,
            @NotEmpty @Size(max = 50) List<@NotNull @Size(max = 500) String> rollback,
            @Size(max = 50) List<@NotNull @Size(max = 500) String> migrate,
            @Size(max = 50) List<@NotNull @Size(max = 500) String> migrateRollback,
            @Size(max = 50) List<@NotNull @Size(max = 500) String> trafficSwitch,
            @Size(max = 50) List<@NotNull @Size(max = 500) String> flagSet,
            @NotEmpty @Size(max = 20) List<@Valid @NotNull Smoke> smokeChecks,
            @NotEmpty @Size(max = 200) List<@NotBlank @Size(max = 200) String> instances,
            @Size(max = 20) Map<@NotBlank String, @NotBlank @Size(max = 2000) String> metricQueries,
            @Size(max = 50) List<@NotBlank String> flags,
            @Valid Limits thresholds,
            @Size(max = 6) List<@Pattern(regexp = RERUN_SAFE, message = "must name a command: " + RERUN_SAFE) String> rerunSafe,
            @Size(max = 200) Map<@NotBlank @Size(max = 200) String, @NotBlank @Size(max = 2000) String> versionUrls) {

        EnvironmentSpec toSpec() {
            return new EnvironmentSpec(template(deploy, "deploy"), template(rollback, "rollback"), template(migrate, "migrate"),
                    template(migrateRollback, "migrateRollback"), template(trafficSwitch, "trafficSwitch"), template(flagSet, "flagSet"), smokeChecks.stream().map(s -> new SmokeCheck(s.name(), s.method(), s.url(), s.expectStatus(),
                            s.expectBodyContains())).toList(), instances, metricQueries, flags,
                    thresholds == null ? null : new Thresholds(thresholds.errorRatePercent(), thresholds.p95LatencyMs(),
                            thresholds.businessMetric(), thresholds.businessMetricDropPercent(), thresholds.maxRelativeDegradation(),
                            thresholds.minSamples(), thresholds.p50LatencyMs(), thresholds.p99LatencyMs(),
                            thresholds.newWarnLines() == null ? 0 : thresholds.newWarnLines()), versionUrls);
        }

        CommandTemplate template(List<String> argv, String name) {
            return argv == null ? null : new CommandTemplate(argv, rerunSafe != null && rerunSafe.contains(name));
        }
    }

    /** A smoke check. */
    public record Smoke(@NotBlank String name, @NotBlank String method, @NotBlank @Size(max = 2000) String url, int expectStatus,
            @Size(max = 200) String expectBodyContains) {
    }

    /** Default thresholds; P50 and P99 latency are judged when given, and new WARN lines beyond the baseline's rate above newWarnLines. */
    public record Limits(double errorRatePercent, double p95LatencyMs, @Size(max = 200) String businessMetric, double businessMetricDropPercent,
            double maxRelativeDegradation, int minSamples, Double p50LatencyMs, Double p99LatencyMs, Long newWarnLines) {
    }

    public DeployDescriptor toDescriptor(String service) {
        return new DeployDescriptor(service, Map.of(Environment.STAGING, staging.toSpec(), Environment.PRODUCTION, production.toSpec()),
                owners, escalationContact, teamChannel);
    }

    /** The commands a descriptor may declare safe to run again after an interruption ({@code rerunSafe}). */
    static final String RERUN_SAFE = "deploy|rollback|migrate|migrateRollback|trafficSwitch|flagSet";
}
