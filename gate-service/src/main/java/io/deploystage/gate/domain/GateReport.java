package io.deploystage.gate.domain;

import java.time.Instant;
import java.util.List;

/** One gate result as reported: the latest by {@code occurredAt} supersedes earlier ones of its stage. */
public record GateReport(String eventId, Stage stage, Verdict verdict, List<Finding> findings, Double coverage, Instant occurredAt) {

    public GateReport {
        findings = List.copyOf(findings);
    }
}
