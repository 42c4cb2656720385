package io.deploystage.executor.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.deploystage.executor.domain.HealthGate.Observed;
import io.deploystage.executor.domain.HealthGate.Outcome;
import io.deploystage.executor.domain.HealthGate.Requirement;

/**
 * The evidence rules of a wait-for-health step: a production bake from minute 0 to 10 needing ERROR_RATE and
 * LATENCY_P95 of the canary cohort, with verdicts fresher than 1 minute at its end. Each row describes the verdicts
 * received (check:verdict:environment:cohort:from-to, in minutes after the step began), the minute it is judged at, and
 * the outcome.
 */
class HealthGateTest {

    static final Instant START = Instant.parse("2026-12-01T10:00:00Z");
    static final Requirement BAKE = new Requirement("PRODUCTION", Set.of("CANARY"), List.of("ERROR_RATE", "LATENCY_P95"), START,
            START.plus(Duration.ofMinutes(10)), Duration.ofMinutes(1));

    /** Every minute from {@code from} to {@code to}, one verdict per check: "HEALTHY" for both unless told. */
    static List<String> steady(String verdict, int from, int to) {
        List<String> all = new ArrayList<>();
        for (int m = from; m < to; m++) {
            all.add("ERROR_RATE:" + verdict + ":PRODUCTION:CANARY:" + m + "-" + (m + 1));
            all.add("LATENCY_P95:" + verdict + ":PRODUCTION:CANARY:" + m + "-" + (m + 1));
        }
        return all;
    }

    static Observed parse(String text) {
        String[] f = text.split(":");
        String[] window = f[4].split("-");
        return new Observed(f[0], f[1], f[0] + " was " + f[1].toLowerCase(), f[2], f[3], at(Double.parseDouble(window[0])),
                at(Double.parseDouble(window[1])));
    }

    static Instant at(double minutes) {
        return START.plus(Duration.ofMillis(Math.round(minutes * 60_000)));
    }

    static List<Observed> verdicts(String rows) {
        List<String> all = new ArrayList<>();
        for (String row : rows.split(" ")) {
            if (row.startsWith("steady(")) {
                String[] args = row.substring(7, row.length() - 1).split(",");
                all.addAll(steady(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2])));
            } else if (!row.isBlank() && !row.equals("none")) {
                all.add(row);
            }
        }
        return all.stream().map(HealthGateTest::parse).toList();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "healthy throughout, judged at the end             | steady(HEALTHY,0,10)                                   | 10   | PASS",
            "healthy so far, window not over                   | steady(HEALTHY,0,5)                                    | 5    | WAIT",
            "a FAILING verdict fails at once                   | steady(HEALTHY,0,3) ERROR_RATE:FAILING:PRODUCTION:CANARY:3-4 | 4 | FAIL",
            "a FAILING canary comparison fails too             | CANARY_ERROR_RATE:FAILING:PRODUCTION:CANARY:2-3        | 3    | FAIL",
            "no verdict at all is never a pass                 | none                                                   | 11   | INCONCLUSIVE",
            "staging verdicts never pass a production step     | steady(HEALTHY,0,10)-STAGING                           | 11   | INCONCLUSIVE",
            "a staging FAILING does not fail production        | ERROR_RATE:FAILING:STAGING:CANARY:1-2 steady(HEALTHY,0,10) | 10 | PASS",
            "the stable cohort's verdicts are not the canary's | steady(HEALTHY,0,10)-STABLE                            | 11   | INCONCLUSIVE",
            "HEALTHY in minute 1 then silence                  | steady(HEALTHY,0,1)                                    | 11   | INCONCLUSIVE",
            "silence in production while staging reports on    | steady(HEALTHY,0,10)-STAGING steady(HEALTHY,0,1)       | 11   | INCONCLUSIVE",
            "silence, but still within the grace for a verdict | steady(HEALTHY,0,8)                                    | 10.5 | WAIT",
            "a check that never reported is missing            | ERROR_RATE:HEALTHY:PRODUCTION:CANARY:0-10              | 11   | INCONCLUSIVE",
            "a gap of 4 minutes in the middle                  | steady(HEALTHY,0,3) steady(HEALTHY,7,10)               | 11   | INCONCLUSIVE",
            "the latest verdict is INCONCLUSIVE                | steady(HEALTHY,0,9) steady(INCONCLUSIVE,9,10)          | 11   | INCONCLUSIVE",
            "INCONCLUSIVE at the end waits for the last part   | steady(HEALTHY,0,9) steady(INCONCLUSIVE,9,10)          | 10   | WAIT",
            "which a HEALTHY verdict on it then settles        | steady(HEALTHY,0,9) steady(INCONCLUSIVE,9,10) steady(HEALTHY,10,11) | 10.5 | PASS",
            "an early INCONCLUSIVE, healthy since              | steady(INCONCLUSIVE,0,2) steady(HEALTHY,2,10)          | 10   | PASS",
            "verdicts from before the step do not count        | ERROR_RATE:HEALTHY:PRODUCTION:CANARY:-5--1 LATENCY_P95:HEALTHY:PRODUCTION:CANARY:-5--1 | 11 | INCONCLUSIVE",
    })
    void evidenceRules(String name, String rows, double judgedAt, Outcome expected) {
        List<Observed> observed = new ArrayList<>();
        for (String part : rows.trim().split(" ")) {
            if (part.endsWith("-STAGING") || part.endsWith("-STABLE")) {
                String other = part.substring(part.lastIndexOf('-') + 1);
                verdicts(part.substring(0, part.lastIndexOf('-'))).forEach(v -> observed.add(new Observed(v.check(), v.verdict(), v.reason(),
                        other.equals("STAGING") ? "STAGING" : v.environment(), other.equals("STABLE") ? "STABLE" : v.cohort(), v.windowStart(),
                        v.windowEnd())));
            } else if (part.contains("--")) {
                String[] f = part.split(":");
                observed.add(new Observed(f[0], f[1], "before", f[2], f[3], at(-5), at(-1)));
            } else {
                observed.addAll(verdicts(part));
            }
        }
        HealthGate.Result result = HealthGate.judge(BAKE, observed, at(judgedAt));
        assertEquals(expected, result.outcome(), name + ": " + result.detail());
        if (expected == Outcome.INCONCLUSIVE || expected == Outcome.FAIL) {
            assertTrue(result.detail() != null && !result.detail().isBlank());
        }
    }

    @org.junit.jupiter.api.Test
    void noCheckToJudgeIsNeverAPass() {
        Requirement none = new Requirement("PRODUCTION", Set.of("CANARY"), List.of(), START, START.plus(Duration.ofMinutes(10)), Duration.ofMinutes(1));
        HealthGate.Result result = HealthGate.judge(none, verdicts("steady(HEALTHY,0,10)"), at(11));
        assertEquals(Outcome.INCONCLUSIVE, result.outcome(), result.detail());
    }

    @ParameterizedTest(name = "the detail says why: {0}")
    @CsvSource(delimiter = '|', value = {
            "steady(HEALTHY,0,1)                      | ERROR_RATE: silent since 2026-12-01T10:01:00Z, 540 s before the window's end",
            "ERROR_RATE:HEALTHY:PRODUCTION:CANARY:0-10 | LATENCY_P95: no verdict for PRODUCTION CANARY since the step began",
            "ERROR_RATE:HEALTHY:STAGING:CANARY:0-10 LATENCY_P95:HEALTHY:STAGING:CANARY:0-10 | ERROR_RATE: no verdict for PRODUCTION CANARY since the step began",
            "steady(HEALTHY,0,3) steady(HEALTHY,7,10) | ERROR_RATE: no verdict between 2026-12-01T10:03:00Z and 2026-12-01T10:07:00Z",
    })
    void inconclusiveSaysWhatIsMissing(String rows, String detail) {
        HealthGate.Result result = HealthGate.judge(BAKE, verdicts(rows.trim()), at(11));
        assertEquals(Outcome.INCONCLUSIVE, result.outcome());
        assertTrue(result.detail().contains(detail.trim()), result.detail());
    }

    @org.junit.jupiter.api.Test
    void aFailureNamesEveryCheckThatFailedOnceEach() {
        HealthGate.Result result = HealthGate.judge(BAKE, verdicts("steady(HEALTHY,0,2) ERROR_RATE:FAILING:PRODUCTION:CANARY:2-3 "
                + "CANARY_ERROR_RATE:FAILING:PRODUCTION:CANARY:2-3 ERROR_RATE:FAILING:PRODUCTION:CANARY:3-4"), at(4));
        assertEquals(Outcome.FAIL, result.outcome());
        assertEquals("ERROR_RATE FAILING: ERROR_RATE was failing; CANARY_ERROR_RATE FAILING: CANARY_ERROR_RATE was failing", result.detail());
    }
}
