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
