package io.deploystage.gate.domain;

import java.util.List;

/** The outcome of the gate check with every reason behind it. */
public record GateDecision(GateOutcome outcome, List<Reason> reasons) {

    public GateDecision {
        reasons = List.copyOf(reasons);
    }
}
