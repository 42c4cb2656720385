package io.deploystage.executor.domain;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the {@code name=value} parameters of wait-for-health steps, such as {@code window=10m}. */
public final class StepParameters {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(ms|s|m|h)");

    private StepParameters() {
    }

    public static Optional<String> value(List<String> parameters, String name) {
        return parameters.stream().filter(p -> p.startsWith(name + "=")).map(p -> p.substring(name.length() + 1)).findFirst();
    }

    /** The step's window ({@code window=10m}); {@code fallback} when it has none or it cannot be read. */
    public static Duration window(List<String> parameters, Duration fallback) {
        return value(parameters, "window").map(StepParameters::duration).orElse(fallback);
    }

    /** The checks a wait-for-health step names ({@code checks=ERROR_RATE,LATENCY_P95}); {@code planChecks} when it names none. */
    public static List<String> checks(List<String> parameters, List<String> planChecks) {
        return value(parameters, "checks").map(v -> java.util.Arrays.stream(v.split(",")).map(String::trim).filter(c -> !c.isEmpty())
                .map(c -> c.toUpperCase(java.util.Locale.ROOT)).toList()).filter(l -> !l.isEmpty()).orElse(planChecks);
    }

    /**
     * The cohorts whose verdicts a step judges: those it names ({@code cohorts=canary,stable}) but the stable one, which
     * is what the canary is compared with; the canary (the traffic after the deploy) when it names none.
     */
    public static java.util.Set<String> cohorts(List<String> parameters) {
        java.util.Set<String> named = value(parameters, "cohorts").map(v -> java.util.Arrays.stream(v.split(",")).map(String::trim)
                .map(c -> c.toUpperCase(java.util.Locale.ROOT)).filter(c -> !c.isEmpty() && !c.equals("STABLE"))
                .collect(java.util.stream.Collectors.toSet())).orElse(java.util.Set.of());
        return named.isEmpty() ? java.util.Set.of("CANARY") : named;
    }

    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
