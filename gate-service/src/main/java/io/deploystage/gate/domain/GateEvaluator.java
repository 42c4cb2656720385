package io.deploystage.gate.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Step 1 of the spec as a pure function: are all required gates satisfied?
 *
 * <p>Example: a candidate needing REVIEW, TEST and SECURITY, with REVIEW PASS, TEST PASS (coverage 84%) and
 * SECURITY PASS_WITH_WARNINGS holding one open HIGH finding accepted by "dana" (not the requester) until next
 * week, is CLEARED with one SATISFIED reason per rule. Take the acceptance away and it is BLOCKED by
 * {@value #SECURITY_FINDING_NOT_ACCEPTED}; take the TEST result away and it is WAITING ({@value #GATE_MISSING})
 * until the deadline passes, then BLOCKED ({@value #GATE_DEADLINE}).
 */
public final class GateEvaluator {

    public static final String GATE_MISSING = "gate-missing";
    public static final String GATE_DEADLINE = "gate-deadline-passed";
    public static final String REVIEW_MUST_PASS = "review-must-pass";
    public static final String TEST_MUST_PASS = "test-must-pass";
    public static final String COVERAGE_THRESHOLD = "coverage-threshold";
    public static final String SECURITY_MUST_PASS = "security-must-pass";
    public static final String SECURITY_FINDING_NOT_ACCEPTED = "security-finding-not-accepted";
    public static final String ACCEPTANCE_INCOMPLETE = "acceptance-incomplete";
    public static final String ACCEPTANCE_EXPIRED = "acceptance-expired";
    public static final String SELF_APPROVAL = "self-approval";
    public static final String FINDING_ACCEPTED = "finding-accepted";
    public static final String NO_UNRESOLVED_CRITICAL = "no-unresolved-critical";

    private GateEvaluator() {
    }

    public static GateDecision evaluate(Candidate candidate, Collection<GateReport> reports, Collection<Waiver> waivers,
            GatePolicy policy, Instant now) {
        Map<Stage, GateReport> latest = latestPerStage(reports);
        List<Reason> reasons = new ArrayList<>();
        for (Stage stage : Stage.values()) {
            GateReport report = latest.get(stage);
            if (report == null) {
                if (candidate.requiredGates().contains(stage)) {
                    reasons.add(missing(candidate, stage, policy, now));
                }
                continue;
            }
            switch (stage) {
                case REVIEW -> reasons.add(report.verdict().passes()
                        ? Reason.satisfied(stage, REVIEW_MUST_PASS, "review " + report.verdict())
                        : Reason.blocks(stage, REVIEW_MUST_PASS, null, "review must be PASS or PASS_WITH_WARNINGS, was FAIL"));
                case TEST -> reasons.addAll(test(report, policy));
                case SECURITY -> reasons.addAll(security(candidate, report, waivers, now));
            }
            // Never deploy if Critical findings from Review, Test, or Security are unresolved: no acceptance lifts this.
            report.findings().stream()
                    .filter(f -> f.severity() == Severity.CRITICAL && !f.isResolved())
                    .forEach(f -> reasons.add(Reason.blocks(stage, NO_UNRESOLVED_CRITICAL, f.id(),
                            "unresolved Critical finding " + f.id() + ": " + f.title())));
        }
        return new GateDecision(outcomeOf(reasons), reasons);
    }

    /** A required gate that has not reported never counts as a pass; past the deadline it blocks. */
    private static Reason missing(Candidate candidate, Stage stage, GatePolicy policy, Instant now) {
        if (policy.deadline() != null && !now.isBefore(candidate.submittedAt().plus(policy.deadline()))) {
            return Reason.blocks(stage, GATE_DEADLINE, null, stage + " gate did not report within " + policy.deadline());
        }
        return Reason.waits(stage, GATE_MISSING, "waiting for the required " + stage + " gate");
    }

    private static List<Reason> test(GateReport report, GatePolicy policy) {
        List<Reason> reasons = new ArrayList<>();
        reasons.add(report.verdict().passes()
                ? Reason.satisfied(Stage.TEST, TEST_MUST_PASS, "tests " + report.verdict())
                : Reason.blocks(Stage.TEST, TEST_MUST_PASS, null, "tests failed"));
        if (policy.minCoverage() != null) {
            if (report.coverage() == null) {
                reasons.add(Reason.blocks(Stage.TEST, COVERAGE_THRESHOLD, null,
                        "coverage was not reported; the threshold is " + percent(policy.minCoverage())));
            } else if (report.coverage() < policy.minCoverage()) {
                reasons.add(Reason.blocks(Stage.TEST, COVERAGE_THRESHOLD, null,
                        "coverage " + percent(report.coverage()) + " is below the threshold " + percent(policy.minCoverage())));
            } else {
                reasons.add(Reason.satisfied(Stage.TEST, COVERAGE_THRESHOLD,
                        "coverage " + percent(report.coverage()) + " meets " + percent(policy.minCoverage())));
            }
        }
        return reasons;
    }

    /** Security must pass, or each open finding must be accepted: attributable, explained, unexpired, not self-approved. */
    private static List<Reason> security(Candidate candidate, GateReport report, Collection<Waiver> waivers, Instant now) {
        List<Finding> open = report.findings().stream()
                .filter(f -> !f.isResolved() && f.severity() != Severity.CRITICAL)
                .toList();
        boolean hasCritical = report.findings().stream().anyMatch(f -> f.severity() == Severity.CRITICAL && !f.isResolved());
        if (report.verdict() == Verdict.PASS && open.isEmpty()) {
            return List.of(Reason.satisfied(Stage.SECURITY, SECURITY_MUST_PASS, "security PASS"));
        }
        if (open.isEmpty() && !hasCritical) {
            return List.of(report.verdict() == Verdict.FAIL
                    ? Reason.blocks(Stage.SECURITY, SECURITY_MUST_PASS, null, "security FAIL without findings that could be accepted")
                    : Reason.satisfied(Stage.SECURITY, SECURITY_MUST_PASS, "security " + report.verdict()));
        }
        List<Reason> reasons = new ArrayList<>();
        for (Finding finding : open) {
            Optional<Acceptance> acceptance = acceptanceOf(finding, waivers);
            reasons.add(acceptance.map(a -> judge(candidate, finding, a, now))
                    .orElseGet(() -> Reason.blocks(Stage.SECURITY, SECURITY_FINDING_NOT_ACCEPTED, finding.id(),
                            finding.severity() + " finding " + finding.id() + " is open and not accepted: " + finding.title())));
        }
        return reasons;
    }

    private static Reason judge(Candidate candidate, Finding finding, Acceptance acceptance, Instant now) {
        if (!acceptance.isComplete()) {
            return Reason.blocks(Stage.SECURITY, ACCEPTANCE_INCOMPLETE, finding.id(),
                    "acceptance of " + finding.id() + " needs a named person, a rationale and an expiry");
        }
        if (acceptance.acceptedBy().equalsIgnoreCase(candidate.requestedBy())) {
            return Reason.blocks(Stage.SECURITY, SELF_APPROVAL, finding.id(),
                    finding.id() + " was accepted by the release's own requester " + acceptance.acceptedBy());
        }
        if (!now.isBefore(acceptance.expiresAt())) {
            return Reason.blocks(Stage.SECURITY, ACCEPTANCE_EXPIRED, finding.id(),
                    "acceptance of " + finding.id() + " by " + acceptance.acceptedBy() + " expired at " + acceptance.expiresAt());
        }
        return Reason.satisfied(Stage.SECURITY, FINDING_ACCEPTED, finding.id() + " accepted by " + acceptance.acceptedBy()
                + " until " + acceptance.expiresAt() + ": " + acceptance.rationale());
    }

    /** The most recent waiver for the finding wins over an acceptance carried in the report. */
    private static Optional<Acceptance> acceptanceOf(Finding finding, Collection<Waiver> waivers) {
        Acceptance waived = null;
        for (Waiver waiver : waivers) {
            if (waiver.stage() == Stage.SECURITY && waiver.findingId().equals(finding.id())) {
                waived = waiver.acceptance();
            }
        }
        return Optional.ofNullable(waived != null ? waived : finding.acceptance());
    }

    /** The latest result of each stage by occurredAt, whatever the arrival order; ties go to the larger eventId. */
    public static Map<Stage, GateReport> latestPerStage(Collection<GateReport> reports) {
        Comparator<GateReport> order = Comparator.comparing(GateReport::occurredAt).thenComparing(GateReport::eventId);
        Map<Stage, GateReport> latest = new EnumMap<>(Stage.class);
        for (GateReport report : reports) {
            latest.merge(report.stage(), report, (a, b) -> order.compare(a, b) >= 0 ? a : b);
        }
        return latest;
    }

    private static GateOutcome outcomeOf(List<Reason> reasons) {
        if (reasons.stream().anyMatch(r -> r.effect() == Reason.Effect.BLOCKS)) {
            return GateOutcome.BLOCKED;
        }
        if (reasons.stream().anyMatch(r -> r.effect() == Reason.Effect.WAITS)) {
            return GateOutcome.WAITING;
        }
        return GateOutcome.CLEARED;
    }

    private static String percent(double value) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", value);
    }
}
