package io.deploystage.gate.api.reports;

import java.util.List;

import io.deploystage.gate.domain.Finding;
import io.deploystage.gate.domain.Stage;
import io.deploystage.gate.domain.Verdict;

/** What a standard report says about its gate: the stage, a verdict, findings and coverage (null where none). */
public record ParsedReport(Stage stage, Verdict verdict, List<Finding> findings, Double coverage) {

    public ParsedReport {
        findings = List.copyOf(findings);
    }
}
