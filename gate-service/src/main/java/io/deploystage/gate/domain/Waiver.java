package io.deploystage.gate.domain;

/** An approver's acceptance of one finding of one stage, given through the API. */
public record Waiver(Stage stage, String findingId, Acceptance acceptance) {
}
