package io.deploystage.gate.domain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What of a report's findings one gate result carries. A result travels as one Kafka record, and a record over the
 * broker's message size is never delivered (a Trivy SARIF of an image with ~2,000 findings is several MiB). So a
 * report whose findings exceed the budget keeps every finding that can block the release (open or accepted critical
 * and high ones: the decision and its waivers need each by id) and, by severity, as many of the others as fit; the
 * rest are counted as omitted. When the findings that can block do not fit on their own, the report is refused: the
 * CI must split it (one per tool or image) rather than have the gate decide on part of it.
 * <p>
 * Example, budget 1 KiB: 2 open HIGH findings of 100 bytes and 40 MEDIUM of 100 bytes: both HIGH and 8 MEDIUM are
 * kept, 32 omitted.
 */
public final class FindingBudget {

    /** What a finding costs in the event beyond its texts: severity, status, field lengths. */
    static final int OVERHEAD = 16;

    private FindingBudget() {
    }

    public sealed interface Fit {
    }

    /** The findings the result lists, in the report's order, and how many are left out. */
    public record Fits(List<Finding> findings, int omitted) implements Fit {
    }

    /** The findings that can block do not fit in one result. */
    public record TooLarge(String reason) implements Fit {
    }

    public static Fit fit(List<Finding> findings, int budgetBytes) {
        long total = findings.stream().mapToLong(FindingBudget::size).sum();
        if (total <= budgetBytes) {
            return new Fits(findings, 0);
        }
        List<Finding> blocking = findings.stream().filter(FindingBudget::canBlock).toList();
        long blockingBytes = blocking.stream().mapToLong(FindingBudget::size).sum();
        if (blockingBytes > budgetBytes) {
            return new TooLarge(String.format(java.util.Locale.ROOT, "the report holds %d critical or high findings taking %.1f KiB, more "
                    + "than the %.1f KiB one gate result carries: split the report (one per tool or image) or fix some of them first",
                    blocking.size(), blockingBytes / 1024.0, budgetBytes / 1024.0));
        }
        Set<Finding> kept = new HashSet<>(blocking);
        long used = blockingBytes;
        List<Finding> others = new ArrayList<>(findings.stream().filter(f -> !canBlock(f)).toList());
        others.sort(Comparator.comparing(Finding::severity)); // the enum runs from CRITICAL down to LOW
        for (Finding f : others) {
            long cost = size(f);
            if (used + cost <= budgetBytes) {
                kept.add(f);
                used += cost;
            }
        }
        List<Finding> listed = findings.stream().filter(kept::contains).toList();
        return new Fits(listed, findings.size() - listed.size());
    }

    /** A finding the decision or a waiver can turn on: critical or high, not resolved. */
    static boolean canBlock(Finding f) {
        return (f.severity() == Severity.CRITICAL || f.severity() == Severity.HIGH) && !f.isResolved();
    }

    static long size(Finding f) {
        long bytes = OVERHEAD + utf8(f.id()) + utf8(f.title());
        if (f.acceptance() != null) {
            bytes += utf8(f.acceptance().acceptedBy()) + utf8(f.acceptance().rationale()) + 8;
        }
        return bytes;
    }

    private static int utf8(String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }
}
