package io.deploystage.planner.domain;

/** Where a step runs: staging always before production. */
public enum Environment {
    STAGING, PRODUCTION;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
