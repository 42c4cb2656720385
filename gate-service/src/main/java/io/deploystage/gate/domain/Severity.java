package io.deploystage.gate.domain;

/** Severity of a finding. */
public enum Severity {
    CRITICAL, HIGH, MEDIUM, LOW
}
