package io.deploystage.executor.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Decides a wait-for-health step from the monitor's verdicts received since the step started. A FAILING verdict
 * fails it at once; at the end of the window it passes only if the latest verdict of every check is HEALTHY. No
 * verdict at all, or an INCONCLUSIVE one, is INCONCLUSIVE: never a pass (fail closed).
 */
public final class HealthGate {

    /** A verdict as the step sees it, oldest first. */
    public record Observed(String check, String verdict, String reason) {
    }

    public enum Outcome {
        WAIT, PASS, FAIL, INCONCLUSIVE
    }

    public record Result(Outcome outcome, String detail) {
    }

    private HealthGate() {
    }

    public static Result judge(List<Observed> verdicts, boolean windowOver) {
        for (Observed v : verdicts) {
            if ("FAILING".equals(v.verdict())) {
                return new Result(Outcome.FAIL, v.check() + " FAILING: " + v.reason());
            }
        }
        if (!windowOver) {
            return new Result(Outcome.WAIT, null);
        }
        Map<String, Observed> latest = new LinkedHashMap<>();
        verdicts.forEach(v -> latest.put(v.check(), v));
        if (latest.isEmpty()) {
            return new Result(Outcome.INCONCLUSIVE, "no verdict from the monitor within the window");
        }
        List<Observed> unsure = latest.values().stream().filter(v -> !"HEALTHY".equals(v.verdict())).toList();
        if (!unsure.isEmpty()) {
            return new Result(Outcome.INCONCLUSIVE, unsure.stream().map(v -> v.check() + " " + v.verdict() + ": " + v.reason())
                    .collect(Collectors.joining("; ")));
        }
        return new Result(Outcome.PASS, latest.size() + " check(s) HEALTHY: " + String.join(", ", latest.keySet()));
    }
}
