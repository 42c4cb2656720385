package io.deploystage.gate.domain;

import java.time.Instant;
import java.util.Set;

/** The release asking to deploy: which gates it needs and who asked (who therefore cannot accept its findings). */
public record Candidate(String releaseId, String service, String version, Set<Stage> requiredGates, String requestedBy,
        Instant submittedAt) {

    public Candidate {
        requiredGates = Set.copyOf(requiredGates);
    }
}
