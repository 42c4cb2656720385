package io.deploystage.gate.domain;

/** One finding a gate reported; {@code acceptance} is present when the reporting tool carried one. */
public record Finding(String id, Severity severity, String title, FindingStatus status, Acceptance acceptance) {

    public boolean isResolved() {
        return status == FindingStatus.RESOLVED;
    }
}
