package io.deploystage.gate.domain;

/** A gate's overall verdict. */
public enum Verdict {
    PASS, PASS_WITH_WARNINGS, FAIL;

    public boolean passes() {
        return this != FAIL;
    }
}
