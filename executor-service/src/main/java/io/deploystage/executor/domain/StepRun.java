package io.deploystage.executor.domain;

/**
 * PLACEHOLDER (walking skeleton): every step is reported as run and succeeded without executing anything.
 * Step runners, strategies, rollback and flags replace this in the executor-service issue.
 */
public enum StepRun {
    STARTED, SUCCEEDED
}
