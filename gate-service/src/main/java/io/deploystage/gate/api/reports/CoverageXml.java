package io.deploystage.gate.api.reports;

import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** Line coverage in percent from JaCoCo XML ({@code <report>} LINE counter) or Cobertura XML ({@code <coverage line-rate>}). */
public final class CoverageXml {

    private CoverageXml() {
    }

    public static double jacoco(byte[] body) {
        Element root = SafeXml.parse(body, "JaCoCo");
        if (!root.getTagName().equals("report")) {
            throw new ReportRejected("JaCoCo XML must have a <report> root, not <" + root.getTagName() + ">", "root element");
        }
        for (Node child = root.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element counter && counter.getTagName().equals("counter") && "LINE".equals(counter.getAttribute("type"))) {
                double missed = SafeXml.number(counter, "missed", "JaCoCo");
                double covered = SafeXml.number(counter, "covered", "JaCoCo");
                if (missed + covered == 0) {
                    throw new ReportRejected("JaCoCo report counts no lines", "<counter type=\"LINE\">");
                }
                return 100.0 * covered / (missed + covered);
            }
        }
        throw new ReportRejected("JaCoCo report has no report-level LINE counter", "<report>");
    }

    public static double cobertura(byte[] body) {
        Element root = SafeXml.parse(body, "Cobertura");
        if (!root.getTagName().equals("coverage")) {
            throw new ReportRejected("Cobertura XML must have a <coverage> root, not <" + root.getTagName() + ">", "root element");
        }
        double rate = SafeXml.number(root, "line-rate", "Cobertura");
        if (rate > 1) {
            throw new ReportRejected("Cobertura line-rate must be between 0 and 1, was " + rate, "<coverage line-rate>");
        }
        return 100.0 * rate;
    }
}
