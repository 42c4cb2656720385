package io.deploystage.gate.domain;

/** CLEARED may deploy; BLOCKED may not; WAITING lacks a required gate. */
public enum GateOutcome {
    CLEARED, BLOCKED, WAITING
}
