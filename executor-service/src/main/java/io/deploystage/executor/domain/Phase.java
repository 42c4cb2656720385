package io.deploystage.executor.domain;

/** Which list of the plan a deployment is working through: its steps, or its rollback procedure. */
public enum Phase {
    FORWARD, ROLLBACK
}
