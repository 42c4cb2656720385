package io.deploystage.gate.domain;

import java.time.Instant;
import java.util.Set;

/**
 * The release asking to deploy: which gates it needs and who asked (who therefore cannot accept its findings). REVIEW
 * is always among the gates it needs, whatever the candidate names: the spec says review must pass, and a candidate
 * that could leave it out could deploy unreviewed code.
 */
public record Candidate(String releaseId, String service, String version, Set<Stage> requiredGates, String requestedBy,
        Instant submittedAt) {

    public Candidate {
        java.util.EnumSet<Stage> needed = java.util.EnumSet.of(Stage.REVIEW);
        needed.addAll(requiredGates);
        requiredGates = Set.copyOf(needed);
    }
}
