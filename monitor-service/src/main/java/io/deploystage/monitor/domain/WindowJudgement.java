package io.deploystage.monitor.domain;

/**
 * PLACEHOLDER (walking skeleton): judges nothing yet and says so. Fail closed: without the thresholds and the
 * baseline of the health check protocol (the monitor-service issue) no window is ever HEALTHY.
 */
public final class WindowJudgement {

    private WindowJudgement() {
    }

    public static String reason(long requests, long errors) {
        return "Not judged yet (placeholder): " + errors + " errors in " + requests + " requests";
    }
}
