package io.deploystage.gate.domain;

/**
 * One reason behind a decision: the gate, the rule of the spec, the finding if any, and whether it blocks,
 * keeps the release waiting or is satisfied.
 */
public record Reason(Stage stage, String rule, String findingId, Effect effect, String message) {

    /** What a reason does to the decision. */
    public enum Effect { BLOCKS, WAITS, SATISFIED }

    static Reason blocks(Stage stage, String rule, String findingId, String message) {
        return new Reason(stage, rule, findingId, Effect.BLOCKS, message);
    }

    static Reason waits(Stage stage, String rule, String message) {
        return new Reason(stage, rule, null, Effect.WAITS, message);
    }

    static Reason satisfied(Stage stage, String rule, String message) {
        return new Reason(stage, rule, null, Effect.SATISFIED, message);
    }
}
