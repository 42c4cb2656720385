package io.deploystage.gate.api.reports;

import java.util.ArrayList;
import java.util.List;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import io.deploystage.gate.domain.Finding;
import io.deploystage.gate.domain.FindingStatus;
import io.deploystage.gate.domain.Severity;
import io.deploystage.gate.domain.Stage;
import io.deploystage.gate.domain.Verdict;
import io.deploystage.platform.domain.Texts;

/**
 * JUnit XML (Maven Surefire, pytest, Gradle, Jest's junit reporter): a {@code <testsuite>} or {@code <testsuites>}
 * root. A failing or erroring test case makes the TEST gate FAIL, with one HIGH finding per failed case.
 */
public final class JUnitXml {

    private JUnitXml() {
    }

    public static ParsedReport parse(byte[] body) {
        Element root = SafeXml.parse(body, "JUnit");
        if (!root.getTagName().equals("testsuite") && !root.getTagName().equals("testsuites")) {
            throw new ReportRejected("JUnit XML must have a <testsuite> or <testsuites> root, not <" + root.getTagName() + ">", "root element");
        }
        NodeList cases = root.getElementsByTagName("testcase");
        List<Finding> failures = new ArrayList<>();
        int executed = 0;
        for (int i = 0; i < cases.getLength(); i++) {
            Element testCase = (Element) cases.item(i);
            String name = testCase.getAttribute("classname") + "." + testCase.getAttribute("name");
            Element problem = firstChild(testCase, "failure", "error");
            if (firstChild(testCase, "skipped") == null) {
                executed++;
            }
            if (problem != null) {
                String message = problem.getAttribute("message");
                failures.add(new Finding("test:" + name, Severity.HIGH,
                        abbreviate(name + " " + problem.getTagName() + (message.isBlank() ? "" : ": " + message)), FindingStatus.OPEN, null));
            }
        }
        if (cases.getLength() == 0 && countAttribute(root, "failures") + countAttribute(root, "errors") == 0) {
            throw new ReportRejected("JUnit XML holds no test case", "<" + root.getTagName() + ">");
        }
        boolean suiteFailed = countAttribute(root, "failures") + countAttribute(root, "errors") > 0;
        Verdict verdict = failures.isEmpty() && !suiteFailed && executed > 0 ? Verdict.PASS : Verdict.FAIL;
        return new ParsedReport(Stage.TEST, verdict, failures, null);
    }

    private static Element firstChild(Element parent, String... names) {
        for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element && List.of(names).contains(element.getTagName())) {
                return element;
            }
        }
        return null;
    }

    /** Sum of a counter attribute over the root and its suites, for reports that count without listing. */
    private static int countAttribute(Element root, String attribute) {
        int total = 0;
        List<Element> suites = new ArrayList<>();
        if (root.getTagName().equals("testsuite")) {
            suites.add(root);
        } else {
            NodeList list = root.getElementsByTagName("testsuite");
            for (int i = 0; i < list.getLength(); i++) {
                suites.add((Element) list.item(i));
            }
        }
        for (Element suite : suites) {
            String value = suite.getAttribute(attribute);
            if (!value.isBlank()) {
                total += (int) SafeXml.number(suite, attribute, "JUnit");
            }
        }
        return total;
    }

    /** A report's text for a finding: on one line, at most 300 characters and an ellipsis. */
    static String abbreviate(String text) {
        return Texts.abbreviate(text.replaceAll("\\s+", " ").trim(), 300);
    }
}
