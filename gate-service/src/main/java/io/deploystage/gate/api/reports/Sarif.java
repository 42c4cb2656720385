package io.deploystage.gate.api.reports;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.deploystage.gate.domain.Finding;
import io.deploystage.gate.domain.FindingStatus;
import io.deploystage.gate.domain.Severity;
import io.deploystage.gate.domain.Stage;
import io.deploystage.gate.domain.Verdict;
import io.deploystage.platform.domain.Texts;

/**
 * SARIF 2.1.0 (CodeQL, Semgrep, Trivy and others) as a SECURITY gate result. Severity comes from the
 * {@code security-severity} property (CVSS score, on the result or its rule: 9.0+ Critical, 7.0+ High, 4.0+ Medium,
 * else Low), or else from the level (error High, warning Medium, note/none Low). Suppressed results count as
 * ACCEPTED but carry no attributable, expiring acceptance: an approver must still waive them.
 * No result passes; any High or Critical fails; anything else passes with warnings.
 */
public final class Sarif {

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
    }

    private Sarif() {
    }

    public static ParsedReport parse(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonParseException e) {
            throw new ReportRejected("not valid JSON: " + e.getOriginalMessage(),
                    "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new ReportRejected("not readable JSON: " + e.getMessage(), null);
        }
        if (root == null || !root.isObject()) {
            throw new ReportRejected("a SARIF log is a JSON object", "$");
        }
        if (!"2.1.0".equals(root.path("version").asText())) {
            throw new ReportRejected("only SARIF 2.1.0 is accepted, version is '" + root.path("version").asText() + "'", "$.version");
        }
        JsonNode runs = root.path("runs");
        if (!runs.isArray()) {
            throw new ReportRejected("SARIF log has no runs array", "$.runs");
        }
        Map<String, Finding> findings = new LinkedHashMap<>();
        for (int r = 0; r < runs.size(); r++) {
            JsonNode run = runs.get(r);
            List<JsonNode> rules = rules(run);
            JsonNode results = run.path("results");
            if (!results.isMissingNode() && !results.isArray()) {
                throw new ReportRejected("results is not an array", "$.runs[" + r + "].results");
            }
            for (int i = 0; i < results.size(); i++) {
                Finding finding = finding(results.get(i), rules, "$.runs[" + r + "].results[" + i + "]");
                findings.putIfAbsent(finding.id(), finding);
            }
        }
        List<Finding> list = new ArrayList<>(findings.values());
        Verdict verdict = list.isEmpty() ? Verdict.PASS
                : list.stream().anyMatch(f -> !f.isResolved() && (f.severity() == Severity.CRITICAL || f.severity() == Severity.HIGH))
                        ? Verdict.FAIL : Verdict.PASS_WITH_WARNINGS;
        return new ParsedReport(Stage.SECURITY, verdict, list, null);
    }

    private static List<JsonNode> rules(JsonNode run) {
        List<JsonNode> rules = new ArrayList<>();
        run.path("tool").path("driver").path("rules").forEach(rules::add);
        return rules;
    }

    private static Finding finding(JsonNode result, List<JsonNode> rules, String path) {
        if (!result.isObject()) {
            throw new ReportRejected("a result is a JSON object", path);
        }
        JsonNode rule = ruleOf(result, rules);
        String ruleId = text(result.path("ruleId"), text(result.path("rule").path("id"), text(rule.path("id"), null)));
        if (ruleId == null) {
            throw new ReportRejected("result names no rule (ruleId, rule.id or a valid ruleIndex)", path);
        }
        String message = text(result.path("message").path("text"), text(rule.path("shortDescription").path("text"), ruleId));
        JsonNode location = result.path("locations").path(0).path("physicalLocation");
        String uri = text(location.path("artifactLocation").path("uri"), "");
        int line = location.path("region").path("startLine").asInt(0);
        String id = ruleId + (uri.isEmpty() ? "" : "@" + uri + (line > 0 ? ":" + line : ""));
        String level = text(result.path("level"), text(rule.path("defaultConfiguration").path("level"), "warning"));
        Severity severity = severity(result.path("properties").path("security-severity"), rule.path("properties").path("security-severity"), level);
        boolean suppressed = result.path("suppressions").isArray() && result.path("suppressions").size() > 0;
        return new Finding(Texts.fit(id, 500, ""), severity, JUnitXml.abbreviate(message), suppressed ? FindingStatus.ACCEPTED : FindingStatus.OPEN, null);
    }

    private static JsonNode ruleOf(JsonNode result, List<JsonNode> rules) {
        int index = result.path("ruleIndex").asInt(result.path("rule").path("index").asInt(-1));
        if (index >= 0 && index < rules.size()) {
            return rules.get(index);
        }
        String ruleId = text(result.path("ruleId"), null);
        return rules.stream().filter(r -> r.path("id").asText().equals(ruleId)).findFirst().orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
    }

    static Severity severity(JsonNode resultScore, JsonNode ruleScore, String level) {
        JsonNode score = resultScore.isMissingNode() || resultScore.isNull() ? ruleScore : resultScore;
        if (!score.isMissingNode() && !score.isNull()) {
            double cvss;
            try {
                cvss = Double.parseDouble(score.asText());
            } catch (NumberFormatException e) {
                cvss = -1;
            }
            if (cvss >= 9.0) {
                return Severity.CRITICAL;
            }
            if (cvss >= 7.0) {
                return Severity.HIGH;
            }
            if (cvss >= 4.0) {
                return Severity.MEDIUM;
            }
            if (cvss >= 0) {
                return Severity.LOW;
            }
        }
        return switch (level) {
            case "error" -> Severity.HIGH;
            case "warning" -> Severity.MEDIUM;
            default -> Severity.LOW;
        };
    }

    private static String text(JsonNode node, String fallback) {
        return node.isTextual() && !node.asText().isBlank() ? node.asText() : fallback;
    }
}
