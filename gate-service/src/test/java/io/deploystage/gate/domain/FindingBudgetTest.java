package io.deploystage.gate.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** What of a report's findings one gate result carries, one case per rule. */
class FindingBudgetTest {

    /** A finding of exactly {@code bytes} bytes as the budget counts them. */
    static Finding finding(String id, Severity severity, FindingStatus status, int bytes) {
        return new Finding(id, severity, "x".repeat(bytes - FindingBudget.OVERHEAD - id.length()), status, null);
    }

    static List<Finding> many(String prefix, Severity severity, int n, int bytes) {
        return IntStream.range(0, n).mapToObj(i -> finding(prefix + i, severity, FindingStatus.OPEN, bytes)).toList();
    }

    @Test
    void findingsWithinTheBudgetAreAllListed() {
        List<Finding> findings = many("m", Severity.MEDIUM, 10, 100);
        assertEquals(new FindingBudget.Fits(findings, 0), FindingBudget.fit(findings, 1000));
    }

    @Test
    void overTheBudgetEveryCriticalAndHighIsKeptAndTheOthersBySeverityAsFarAsTheyFit() {
        List<Finding> findings = new ArrayList<>();
        findings.addAll(many("low", Severity.LOW, 20, 100));
        findings.addAll(many("med", Severity.MEDIUM, 40, 100));
        findings.addAll(many("high", Severity.HIGH, 2, 100));
        FindingBudget.Fits fit = (FindingBudget.Fits) FindingBudget.fit(findings, 1024);
        assertEquals(10, fit.findings().size(), "1 KiB holds 10 findings of 100 bytes");
        assertEquals(52, fit.omitted());
        assertTrue(fit.findings().stream().filter(f -> f.severity() == Severity.HIGH).count() == 2, "both HIGH findings listed");
        assertTrue(fit.findings().stream().filter(f -> f.severity() != Severity.HIGH).allMatch(f -> f.severity() == Severity.MEDIUM),
                "MEDIUM before LOW: " + fit.findings());
        assertEquals(findings.stream().filter(fit.findings()::contains).toList(), fit.findings(), "in the report's order");
    }

    @Test
    void aResolvedHighCanBeLeftOutLikeAnyLowerFinding() {
        List<Finding> findings = new ArrayList<>(many("low", Severity.LOW, 5, 100));
        findings.add(finding("fixed", Severity.CRITICAL, FindingStatus.RESOLVED, 100));
        findings.add(finding("open", Severity.CRITICAL, FindingStatus.OPEN, 100));
        FindingBudget.Fits fit = (FindingBudget.Fits) FindingBudget.fit(findings, 250);
        assertEquals(List.of("fixed", "open"), fit.findings().stream().map(Finding::id).toList(),
                "the open one first, then by severity the resolved critical before the lows");
        assertEquals(5, fit.omitted());
    }

    @Test
    void anAcceptedHighIsAlwaysListedForItsWaiver() {
        List<Finding> findings = new ArrayList<>(many("med", Severity.MEDIUM, 5, 100));
        findings.add(finding("waived", Severity.HIGH, FindingStatus.ACCEPTED, 100));
        FindingBudget.Fits fit = (FindingBudget.Fits) FindingBudget.fit(findings, 150);
        assertEquals(List.of("waived"), fit.findings().stream().map(Finding::id).toList());
    }

    @Test
    void whenTheBlockingFindingsAloneDoNotFitTheReportIsRefusedWithWhy() {
        List<Finding> findings = many("crit", Severity.CRITICAL, 30, 100);
        FindingBudget.TooLarge refused = assertInstanceOf(FindingBudget.TooLarge.class, FindingBudget.fit(findings, 2048));
        assertEquals("the report holds 30 critical or high findings taking 2.9 KiB, more than the 2.0 KiB one gate result carries: "
                + "split the report (one per tool or image) or fix some of them first", refused.reason());
    }

    @Test
    void multiByteTextsCountInBytes() {
        Finding wide = new Finding("w", Severity.LOW, "é".repeat(100), FindingStatus.OPEN, null);
        assertEquals(FindingBudget.OVERHEAD + 1 + 200, FindingBudget.size(wide));
    }
}
