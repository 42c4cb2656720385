package io.deploystage.planner.domain;

/** What runs a step in the executor. */
public enum StepKind {
    COMMAND, HTTP_CHECK, WAIT_FOR_HEALTH, APPROVAL, TRAFFIC, FLAG, GIT_TAG, NOTIFY
}
