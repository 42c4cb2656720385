package io.deploystage.planner.domain;

/** The deployment strategies of the spec's Step 3, with the rollback each implies. */
public enum Strategy {
    DIRECT("direct", "Redeploy previous version"),
    ROLLING("rolling", "Drain + redeploy previous"),
    BLUE_GREEN("blue-green", "Switch traffic back instantly"),
    CANARY("canary", "Reduce canary % to 0"),
    FEATURE_FLAG("feature-flag", "Disable flag");

    private final String label;
    private final String rollback;

    Strategy(String label, String rollback) {
        this.label = label;
        this.rollback = rollback;
    }

    /** The spec's spelling in the artifacts: direct / rolling / blue-green / canary / feature-flag. */
    public String label() {
        return label;
    }

    public String rollback() {
        return rollback;
    }
}
