package io.deploystage.gate.domain;

/** The upstream stages whose gates a release must pass (spec, Expected Inputs). */
public enum Stage {
    REVIEW, TEST, SECURITY
}
