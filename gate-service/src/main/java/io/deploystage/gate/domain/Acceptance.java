package io.deploystage.gate.domain;

import java.time.Instant;

/** An accepted risk: who accepted it, why, and until when. */
public record Acceptance(String acceptedBy, String rationale, Instant expiresAt) {

    /** Attributable, explained and dated: a named person, a rationale and an expiry. */
    public boolean isComplete() {
        return acceptedBy != null && !acceptedBy.isBlank() && rationale != null && !rationale.isBlank() && expiresAt != null;
    }
}
