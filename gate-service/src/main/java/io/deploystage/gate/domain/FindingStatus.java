package io.deploystage.gate.domain;

/** Where a finding stands. */
public enum FindingStatus {
    OPEN, RESOLVED, ACCEPTED
}
