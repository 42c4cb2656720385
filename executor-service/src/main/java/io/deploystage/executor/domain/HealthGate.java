package io.deploystage.executor.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Decides a wait-for-health step on evidence only: the monitor's verdicts for the step's environment and cohort whose
 * windows ended after the step began. A FAILING one fails the step at once. At the end of the step's window it passes
 * only if every check the step needs has verdicts, the latest of each is HEALTHY and fresh (its window ended at most
 * {@code freshness} before the step's window did), and no gap longer than {@code freshness} lies between them; what is
 * not settled at the window's end may still be settled by a verdict on its last part, for up to {@code freshness}. Anything
 * else is INCONCLUSIVE, never a pass (fail closed): a staging verdict says nothing of production, a HEALTHY in the first
 * minute says nothing of the ten that followed, and a check that never reported is missing, not fine.
 *
 * <p>Example: a 10-minute bake needing ERROR_RATE and LATENCY_P95 with a freshness of 1 minute, both HEALTHY every 15 s
 * until minute 4, then silence: at minute 10 the last verdicts are 6 minutes old; after one more minute without a fresh
 * one the step is INCONCLUSIVE ("silent since ...").
 */
public final class HealthGate {

    /** A verdict as the step sees it; {@code windowStart}/{@code windowEnd} fall back to when it was received. */
    public record Observed(String check, String verdict, String reason, String environment, String cohort, Instant windowStart, Instant windowEnd) {
    }

    /** What the step needs: its environment, the cohorts judged, the checks, its window and how fresh the evidence must be. */
    public record Requirement(String environment, Set<String> cohorts, List<String> checks, Instant start, Instant end, Duration freshness) {
    }

    public enum Outcome {
        WAIT, PASS, FAIL, INCONCLUSIVE
    }

    public record Result(Outcome outcome, String detail) {
    }

    private HealthGate() {
    }

    public static Result judge(Requirement need, List<Observed> verdicts, Instant now) {
        List<Observed> relevant = verdicts.stream().filter(v -> need.environment().equals(v.environment()) && need.cohorts().contains(v.cohort())
                && v.windowEnd().isAfter(need.start())).sorted(Comparator.comparing(Observed::windowEnd)).toList();
        // every check that failed, in the order they did (the first verdict of each): a breach usually shows in several
        java.util.Map<String, Observed> failing = new java.util.LinkedHashMap<>();
        relevant.stream().filter(v -> "FAILING".equals(v.verdict())).forEach(v -> failing.putIfAbsent(v.check(), v));
        if (!failing.isEmpty()) {
            return new Result(Outcome.FAIL, String.join("; ", failing.values().stream().map(v -> v.check() + " FAILING: " + v.reason()).toList()));
        }
        if (now.isBefore(need.end())) {
            return new Result(Outcome.WAIT, null);
        }
        Instant freshFrom = need.end().minus(need.freshness());
        List<String> problems = new ArrayList<>();
        if (need.checks().isEmpty()) {
            problems.add("the step names no check and the plan has none: nothing to judge health by");
        }
        for (String check : need.checks()) {
            List<Observed> mine = relevant.stream().filter(v -> v.check().equals(check)).toList();
            if (mine.isEmpty()) {
                problems.add(check + ": no verdict for " + need.environment() + " " + String.join("/", need.cohorts()) + " since the step began");
                continue;
            }
            Observed latest = mine.get(mine.size() - 1);
            if (!"HEALTHY".equals(latest.verdict())) {
                problems.add(check + " " + latest.verdict() + ": " + latest.reason());
            } else if (latest.windowEnd().isBefore(freshFrom)) {
                problems.add(check + ": silent since " + latest.windowEnd() + ", " + Duration.between(latest.windowEnd(), need.end()).toSeconds()
                        + " s before the window's end (fresher than " + need.freshness().toSeconds() + " s needed)");
            } else {
                String gap = gap(mine, need.freshness());
                if (gap != null) {
                    problems.add(check + ": " + gap);
                }
            }
        }
        if (problems.isEmpty()) {
            return new Result(Outcome.PASS, need.checks().size() + " check(s) HEALTHY through the window in " + need.environment() + ": "
                    + String.join(", ", need.checks()));
        }
        if (now.isBefore(need.end().plus(need.freshness()))) {
            return new Result(Outcome.WAIT, null); // a verdict on the window's last part may still be on its way, and settle it
        }
        return new Result(Outcome.INCONCLUSIVE, String.join("; ", problems));
    }

    /** The first stretch longer than {@code freshness} with no verdict between two verdicts, or null. */
    private static String gap(List<Observed> byEnd, Duration freshness) {
        List<Observed> byStart = byEnd.stream().sorted(Comparator.comparing(Observed::windowStart)).toList();
        Instant covered = byStart.get(0).windowEnd();
        for (Observed v : byStart.subList(1, byStart.size())) {
            if (Duration.between(covered, v.windowStart()).compareTo(freshness) > 0) {
                return "no verdict between " + covered + " and " + v.windowStart();
            }
            covered = v.windowEnd().isAfter(covered) ? v.windowEnd() : covered;
        }
        return null;
    }
}
