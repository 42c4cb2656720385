package io.deploystage.planner.config;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import io.deploystage.planner.domain.ThresholdOverride;
import io.deploystage.platform.domain.DeploymentCalendar;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Planner settings: per-service overrides of the thresholds a deploy descriptor gives, and the deployment calendar. */
@ConfigMapping(prefix = "planner")
public interface PlannerConfig {

    /**
     * The deployment calendar by scope: {@code default} for every service, or a service's name, e.g.
     * {@code planner.calendar.default.zone=Europe/Berlin}, {@code planner.calendar.default.windows[0].days=MONDAY,TUESDAY},
     * {@code ...windows[0].opens=09:00}, {@code ...windows[0].closes=16:00},
     * {@code planner.calendar.default.freezes[0].from=2026-12-18T00:00:00Z}, {@code ...until=...}, {@code ...reason=year-end}.
     * A calendar set over REST ({@code PUT /calendar/{scope}}) replaces the configured one of its scope. None: any time.
     */
    Map<String, Calendar> calendar();

    /** One scope's calendar. */
    interface Calendar {
        /** The IANA time zone of the windows. */
        @WithDefault("UTC")
        String zone();

        /** Allowed windows; none: any time (freezes still apply). */
        java.util.List<Window> windows();

        /** Freezes. */
        java.util.List<Freeze> freezes();

        /** A recurring window. */
        interface Window {
            /** Days it opens on, e.g. MONDAY,TUESDAY. */
            java.util.Set<java.time.DayOfWeek> days();

            /** Local time it opens, e.g. 09:00. */
            String opens();

            /** Local time it closes (exclusive); at or before opens: past midnight. */
            String closes();
        }

        /** No production change from (inclusive) until (exclusive), both ISO-8601 instants. */
        interface Freeze {
            String from();

            String until();

            String reason();
        }

        default DeploymentCalendar toCalendar() {
            return new DeploymentCalendar(java.time.ZoneId.of(zone()),
                    windows().stream().map(w -> DeploymentCalendar.Window.of(w.days(), w.opens(), w.closes())).toList(),
                    freezes().stream().map(f -> DeploymentCalendar.Freeze.of(f.from(), f.until(), f.reason())).toList());
        }
    }

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
