package io.deploystage.executor.runner;

import java.time.Duration;

/** How a step ended: succeeded or not, why, what it printed (truncated, secrets masked), and how long it took. */
public record StepResult(boolean succeeded, String detail, Duration duration) {
}
