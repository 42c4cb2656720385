package io.deploystage.planner.config;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import io.deploystage.planner.domain.ThresholdOverride;
import io.smallrye.config.ConfigMapping;

/** Planner settings: per-service overrides of the thresholds a deploy descriptor gives. */
@ConfigMapping(prefix = "planner")
public interface PlannerConfig {

    /** By service name, e.g. planner.thresholds.checkout.error-rate-percent=0.5; a service not listed keeps its descriptor's. */
    Map<String, Thresholds> thresholds();

    /** The thresholds of one service; each one not set keeps the descriptor's default. */
    interface Thresholds {
        /** Error rate in percent of requests that triggers a rollback. */
        OptionalDouble errorRatePercent();

        /** P95 latency in ms that triggers a rollback. */
        OptionalDouble p95LatencyMs();

        /** Name of the business metric to watch. */
        Optional<String> businessMetric();

        /** How far, in percent, the business metric may drop. */
        OptionalDouble businessMetricDropPercent();

        /** Allowed degradation against the baseline, as a fraction. */
        OptionalDouble maxRelativeDegradation();

        /** Minimum samples per window for a verdict. */
        OptionalInt minSamples();
    }

    default ThresholdOverride overrideFor(String service) {
        Thresholds t = thresholds().get(service);
        if (t == null) {
            return null;
        }
        return new ThresholdOverride(boxed(t.errorRatePercent()), boxed(t.p95LatencyMs()), t.businessMetric().orElse(null),
                boxed(t.businessMetricDropPercent()), boxed(t.maxRelativeDegradation()),
                t.minSamples().isPresent() ? t.minSamples().getAsInt() : null);
    }

    private static Double boxed(OptionalDouble value) {
        return value.isPresent() ? value.getAsDouble() : null;
    }
}
