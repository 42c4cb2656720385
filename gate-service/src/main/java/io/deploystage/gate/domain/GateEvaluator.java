package io.deploystage.gate.domain;

import java.util.Map;
import java.util.Set;

/**
 * PLACEHOLDER (walking skeleton): decides from the latest verdict of each required gate. The spec's full
 * Step 1 rules (findings, waivers, deadlines) replace this in the gate-service issue.
 */
public final class GateEvaluator {

    /** Outcome of the gate check. */
    public enum Outcome { CLEARED, BLOCKED, WAITING }

    private GateEvaluator() {
    }

    /**
     * Example: required {REVIEW, TEST}, verdicts {REVIEW: PASS} gives WAITING (fail closed: a gate that has not
     * reported never counts as a pass); {REVIEW: PASS, TEST: FAIL} gives BLOCKED.
     */
    public static Outcome evaluate(Set<String> requiredGates, Map<String, String> latestVerdictByGate) {
        if (!latestVerdictByGate.keySet().containsAll(requiredGates)) {
            return Outcome.WAITING;
        }
        boolean failed = requiredGates.stream().map(latestVerdictByGate::get).anyMatch("FAIL"::equals);
        return failed ? Outcome.BLOCKED : Outcome.CLEARED;
    }
}
