package io.deploystage.gate.api.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.deploystage.gate.domain.Finding;
import io.deploystage.gate.domain.FindingStatus;
import io.deploystage.gate.domain.Severity;
import io.deploystage.gate.domain.Stage;
import io.deploystage.gate.domain.Verdict;

/** Real report shapes, as the tools write them (samples in src/test/resources/reports). */
class ReportParsersTest {

    static byte[] sample(String name) {
        try (InputStream in = ReportParsersTest.class.getResourceAsStream("/reports/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Finding> byId(ParsedReport report) {
        return report.findings().stream().collect(Collectors.toMap(Finding::id, Function.identity()));
    }

    @Test
    void codeqlSeverityComesFromTheRulesSecuritySeverityAndSuppressionsAreNotResolutions() {
        ParsedReport report = Sarif.parse(sample("codeql.sarif"));
        assertEquals(Stage.SECURITY, report.stage());
        assertEquals(Verdict.FAIL, report.verdict());
        Map<String, Finding> findings = byId(report);
        assertEquals(3, findings.size(), findings.keySet().toString());
        Finding sql = findings.get("java/sql-injection@src/main/java/shop/OrderRepository.java:42");
        assertEquals(Severity.HIGH, sql.severity());
        assertEquals(FindingStatus.OPEN, sql.status());
        assertEquals("This query depends on a [user-provided value](1).", sql.title());
        assertEquals(Severity.HIGH, findings.get("java/weak-cryptographic-algorithm@src/main/java/shop/Tokens.java:9").severity());
        assertEquals(FindingStatus.ACCEPTED, findings.get("java/log-injection@src/main/java/shop/Audit.java:23").status());
    }

    @Test
    void semgrepWithoutScoresFallsBackToTheRuleLevel() {
        ParsedReport report = Sarif.parse(sample("semgrep.sarif"));
        assertEquals(Verdict.PASS_WITH_WARNINGS, report.verdict());
        Map<String, Finding> findings = byId(report);
        assertEquals(Severity.MEDIUM, findings.get("python.flask.security.audit.render-template-string.render-template-string@app/views.py:31").severity());
        assertEquals(Severity.LOW, findings.get("python.flask.security.audit.debug-enabled.debug-enabled@app/settings.py:5").severity());
    }

    @Test
    void trivyCvssScoresMapToCriticalHighMedium() {
        ParsedReport report = Sarif.parse(sample("trivy.sarif"));
        assertEquals(Verdict.FAIL, report.verdict());
        Map<Severity, Long> severities = report.findings().stream().collect(Collectors.groupingBy(Finding::severity, Collectors.counting()));
        assertEquals(Map.of(Severity.CRITICAL, 1L, Severity.HIGH, 1L, Severity.MEDIUM, 1L), severities);
        assertTrue(report.findings().stream().anyMatch(f -> f.id().equals("CVE-2023-38545@registry.example.com/shop/checkout:1")
                && f.severity() == Severity.CRITICAL));
    }

    @Test
    void aCleanSarifLogPasses() {
        String clean = "{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"Trivy\",\"rules\":[]}},\"results\":[]}]}";
        assertEquals(Verdict.PASS, Sarif.parse(clean.getBytes(StandardCharsets.UTF_8)).verdict());
    }

    @Test
    void surefireFailuresAndErrorsFailTheTestGateAndSkipsDoNot() {
        ParsedReport failing = JUnitXml.parse(sample("surefire-TEST-shop.OrderServiceTest.xml"));
        assertEquals(Stage.TEST, failing.stage());
        assertEquals(Verdict.FAIL, failing.verdict());
        assertEquals(java.util.Set.of("test:shop.OrderServiceTest.refusesAnEmptyCart", "test:shop.OrderServiceTest.chargesTheCard"),
                byId(failing).keySet());
        assertTrue(byId(failing).get("test:shop.OrderServiceTest.refusesAnEmptyCart").title().contains("expected: <400> but was: <200>"));
        assertEquals(Verdict.PASS, JUnitXml.parse(sample("surefire-TEST-shop.CartTest.xml")).verdict());
    }

    @Test
    void pytestJunitXmlIsReadToo() {
        ParsedReport report = JUnitXml.parse(sample("pytest-junit.xml"));
        assertEquals(Verdict.FAIL, report.verdict());
        assertEquals(java.util.Set.of("test:tests.test_pricing.test_tax_rounding"), byId(report).keySet());
    }

    @Test
    void coverageFromJacocoAndCobertura() {
        assertEquals(84.0, CoverageXml.jacoco(sample("jacoco.xml")), 1e-9);
        assertEquals(76.25, CoverageXml.cobertura(sample("cobertura.xml")), 1e-9);
    }

    @Test
    void malformedReportsSayWhatIsWrongAndWhere() {
        ReportRejected xml = assertThrows(ReportRejected.class,
                () -> JUnitXml.parse("<testsuite name=\"x\">\n  <testcase name=\"a\"\n</testsuite>".getBytes(StandardCharsets.UTF_8)));
        assertTrue(xml.where().startsWith("line 3"), xml.where());
        ReportRejected json = assertThrows(ReportRejected.class, () -> Sarif.parse("{\"version\": \"2.1.0\",\n \"runs\": [}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(json.where().startsWith("line 2"), json.where());
        assertThrows(ReportRejected.class, () -> Sarif.parse("{\"version\":\"2.0.0\",\"runs\":[]}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(ReportRejected.class, () -> CoverageXml.jacoco(sample("cobertura.xml")));
        assertThrows(ReportRejected.class, () -> CoverageXml.cobertura("<coverage line-rate=\"1.5\"/>".getBytes(StandardCharsets.UTF_8)));
        assertThrows(ReportRejected.class, () -> JUnitXml.parse(sample("jacoco.xml")));
    }

    @Test
    void externalEntitiesAreNeverResolved() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE t [<!ENTITY leak SYSTEM \"file:///etc/passwd\">]>"
                + "<testsuite><testcase classname=\"x\" name=\"y\"><failure message=\"&leak;\"/></testcase></testsuite>";
        try {
            ParsedReport report = JUnitXml.parse(xxe.getBytes(StandardCharsets.UTF_8));
            assertFalse(report.findings().toString().contains("root:"), "file contents leaked: " + report.findings());
        } catch (ReportRejected refused) {
            assertTrue(refused.getMessage().contains("XML"), refused.getMessage());
        }
    }
}
