package io.deploystage.gate.domain;

import static io.deploystage.gate.domain.GateEvaluator.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each rule of the spec's Step 1, one row per case. */
class GateEvaluatorTest {

    static final Instant SUBMITTED = Instant.parse("2026-11-27T10:00:00Z");
    static final Instant NOW = SUBMITTED.plus(Duration.ofMinutes(10));
    static final Candidate CANDIDATE = new Candidate("r1", "checkout", "1.4.0", Set.of(Stage.REVIEW, Stage.TEST, Stage.SECURITY),
            "rita", SUBMITTED);
    static final GatePolicy POLICY = GatePolicy.waitingAtMost(Duration.ofHours(1));

    static int ids;

    static GateReport report(Stage stage, Verdict verdict, Finding... findings) {
        return at(stage, verdict, SUBMITTED.plusSeconds(60), findings);
    }

    static GateReport at(Stage stage, Verdict verdict, Instant occurredAt, Finding... findings) {
        return new GateReport("e" + (++ids), stage, verdict, List.of(findings), stage == Stage.TEST ? 82.0 : null, occurredAt);
    }

    static Finding open(String id, Severity severity) {
        return new Finding(id, severity, "title of " + id, FindingStatus.OPEN, null);
    }

    static Finding accepted(String id, Severity severity, Acceptance acceptance) {
        return new Finding(id, severity, "title of " + id, FindingStatus.ACCEPTED, acceptance);
    }

    static Acceptance by(String who, Instant expires) {
        return new Acceptance(who, "compensating WAF rule in place", expires);
    }

    static final GateReport REVIEW_PASS = report(Stage.REVIEW, Verdict.PASS);
    static final GateReport TEST_PASS = report(Stage.TEST, Verdict.PASS);
    static final GateReport SECURITY_PASS = report(Stage.SECURITY, Verdict.PASS);

    record Case(String name, List<GateReport> reports, List<Waiver> waivers, GatePolicy policy, Instant now, GateOutcome outcome,
            List<String> blockingOrWaitingRules) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        Instant nextWeek = NOW.plus(Duration.ofDays(7));
        return Stream.of(
                new Case("all gates pass", List.of(REVIEW_PASS, TEST_PASS, SECURITY_PASS), List.of(), POLICY, NOW, GateOutcome.CLEARED, List.of()),
                new Case("review with warnings passes", List.of(report(Stage.REVIEW, Verdict.PASS_WITH_WARNINGS), TEST_PASS, SECURITY_PASS),
                        List.of(), POLICY, NOW, GateOutcome.CLEARED, List.of()),
                new Case("review FAIL blocks", List.of(report(Stage.REVIEW, Verdict.FAIL), TEST_PASS, SECURITY_PASS), List.of(), POLICY, NOW,
                        GateOutcome.BLOCKED, List.of(REVIEW_MUST_PASS)),
                new Case("test FAIL blocks", List.of(REVIEW_PASS, report(Stage.TEST, Verdict.FAIL), SECURITY_PASS), List.of(), POLICY, NOW,
                        GateOutcome.BLOCKED, List.of(TEST_MUST_PASS)),
                new Case("missing gate keeps it waiting (fail closed)", List.of(REVIEW_PASS, SECURITY_PASS), List.of(), POLICY, NOW,
                        GateOutcome.WAITING, List.of(GATE_MISSING)),
                new Case("missing gate past the deadline blocks", List.of(REVIEW_PASS, SECURITY_PASS), List.of(), POLICY,
                        SUBMITTED.plus(Duration.ofHours(1)), GateOutcome.BLOCKED, List.of(GATE_DEADLINE)),
                new Case("nothing reported yet", List.of(), List.of(), POLICY, NOW, GateOutcome.WAITING,
                        List.of(GATE_MISSING, GATE_MISSING, GATE_MISSING)),
                new Case("a FAIL blocks even while another gate is missing", List.of(report(Stage.REVIEW, Verdict.FAIL)), List.of(), POLICY, NOW,
                        GateOutcome.BLOCKED, List.of(REVIEW_MUST_PASS, GATE_MISSING, GATE_MISSING)),
                new Case("later result supersedes by occurredAt, not arrival", List.of(REVIEW_PASS, SECURITY_PASS,
                        at(Stage.TEST, Verdict.PASS, SUBMITTED.plusSeconds(300)), at(Stage.TEST, Verdict.FAIL, SUBMITTED.plusSeconds(100))),
                        List.of(), POLICY, NOW, GateOutcome.CLEARED, List.of()),
                new Case("a later FAIL supersedes an earlier PASS", List.of(REVIEW_PASS, SECURITY_PASS,
                        at(Stage.TEST, Verdict.PASS, SUBMITTED.plusSeconds(100)), at(Stage.TEST, Verdict.FAIL, SUBMITTED.plusSeconds(300))),
                        List.of(), POLICY, NOW, GateOutcome.BLOCKED, List.of(TEST_MUST_PASS)),
                new Case("a duplicate result changes nothing", List.of(REVIEW_PASS, TEST_PASS, SECURITY_PASS, SECURITY_PASS), List.of(),
                        POLICY, NOW, GateOutcome.CLEARED, List.of()),
                new Case("unresolved Critical in review blocks", List.of(report(Stage.REVIEW, Verdict.PASS_WITH_WARNINGS, open("R-1", Severity.CRITICAL)),
                        TEST_PASS, SECURITY_PASS), List.of(), POLICY, NOW, GateOutcome.BLOCKED, List.of(NO_UNRESOLVED_CRITICAL)),
                new Case("an accepted Critical still blocks", List.of(REVIEW_PASS, TEST_PASS, report(Stage.SECURITY, Verdict.PASS_WITH_WARNINGS,
                        accepted("CVE-1", Severity.CRITICAL, by("dana", nextWeek)))), List.of(), POLICY, NOW, GateOutcome.BLOCKED,
                        List.of(NO_UNRESOLVED_CRITICAL)),
                new Case("a resolved Critical does not block", List.of(REVIEW_PASS, TEST_PASS, report(Stage.SECURITY, Verdict.PASS,
                        new Finding("CVE-2", Severity.CRITICAL, "fixed", FindingStatus.RESOLVED, null))), List.of(), POLICY, NOW,
                        GateOutcome.CLEARED, List.of()),
                new Case("open security finding without acceptance blocks", List.of(REVIEW_PASS, TEST_PASS,
                        report(Stage.SECURITY, Verdict.PASS_WITH_WARNINGS, open("S-1", Severity.HIGH))), List.of(), POLICY, NOW,
                        GateOutcome.BLOCKED, List.of(SECURITY_FINDING_NOT_ACCEPTED)),
                new Case("security finding accepted in the report clears", List.of(REVIEW_PASS, TEST_PASS,
                        report(Stage.SECURITY, Verdict.FAIL, accepted("S-1", Severity.HIGH, by("dana", nextWeek)))), List.of(), POLICY, NOW,
                        GateOutcome.CLEARED, List.of()),
                new Case("expired acceptance blocks", List.of(REVIEW_PASS, TEST_PASS,
                        report(Stage.SECURITY, Verdict.FAIL, accepted("S-1", Severity.HIGH, by("dana", NOW)))), List.of(), POLICY, NOW,
                        GateOutcome.BLOCKED, List.of(ACCEPTANCE_EXPIRED)),
                new Case("self-approval is refused", List.of(REVIEW_PASS, TEST_PASS,
                        report(Stage.SECURITY, Verdict.FAIL, accepted("S-1", Severity.MEDIUM, by("Rita", nextWeek)))), List.of(), POLICY, NOW,
                        GateOutcome.BLOCKED, List.of(SELF_APPROVAL)),
                new Case("acceptance without rationale is incomplete", List.of(REVIEW_PASS, TEST_PASS, report(Stage.SECURITY, Verdict.FAIL,
                        accepted("S-1", Severity.LOW, new Acceptance("dana", " ", nextWeek)))), List.of(), POLICY, NOW, GateOutcome.BLOCKED,
                        List.of(ACCEPTANCE_INCOMPLETE)),
                new Case("a waiver through the API accepts an open finding", List.of(REVIEW_PASS, TEST_PASS,
                        report(Stage.SECURITY, Verdict.PASS_WITH_WARNINGS, open("S-1", Severity.HIGH))),
                        List.of(new Waiver(Stage.SECURITY, "S-1", by("dana", nextWeek))), POLICY, NOW, GateOutcome.CLEARED, List.of()),
                new Case("an expired waiver does not", List.of(REVIEW_PASS, TEST_PASS,
                        report(Stage.SECURITY, Verdict.PASS_WITH_WARNINGS, open("S-1", Severity.HIGH))),
                        List.of(new Waiver(Stage.SECURITY, "S-1", by("dana", NOW.minusSeconds(1)))), POLICY, NOW, GateOutcome.BLOCKED,
                        List.of(ACCEPTANCE_EXPIRED)),
                new Case("security FAIL with nothing to accept blocks", List.of(REVIEW_PASS, TEST_PASS, report(Stage.SECURITY, Verdict.FAIL)),
                        List.of(), POLICY, NOW, GateOutcome.BLOCKED, List.of(SECURITY_MUST_PASS)),
                new Case("coverage below the threshold blocks", List.of(REVIEW_PASS, TEST_PASS, SECURITY_PASS), List.of(),
                        POLICY.withMinCoverage(90), NOW, GateOutcome.BLOCKED, List.of(COVERAGE_THRESHOLD)),
                new Case("coverage at the threshold passes", List.of(REVIEW_PASS, TEST_PASS, SECURITY_PASS), List.of(),
                        POLICY.withMinCoverage(82), NOW, GateOutcome.CLEARED, List.of()))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(Case c) {
        GateDecision decision = GateEvaluator.evaluate(CANDIDATE, c.reports(), c.waivers(), c.policy(), c.now());
        assertEquals(c.outcome(), decision.outcome(), c.name() + ": " + decision.reasons());
        assertEquals(c.blockingOrWaitingRules().stream().sorted().toList(), decision.reasons().stream()
                .filter(r -> r.effect() != Reason.Effect.SATISFIED).map(Reason::rule).sorted().toList(), c.name());
    }

    @ParameterizedTest(name = "optional {0} gate that reported FAIL blocks")
    @MethodSource("optionalStages")
    void optionalGateThatRanCounts(Stage stage) {
        Candidate reviewOnly = new Candidate("r2", "checkout", "1.4.0", Set.of(Stage.REVIEW), "rita", SUBMITTED);
        GateDecision decision = GateEvaluator.evaluate(reviewOnly, List.of(REVIEW_PASS, report(stage, Verdict.FAIL)), List.of(), POLICY, NOW);
        assertEquals(GateOutcome.BLOCKED, decision.outcome());
    }

    @org.junit.jupiter.api.Test
    void reviewIsRequiredEvenWhenTheCandidateLeavesItOut() {
        Candidate noReview = new Candidate("r3", "checkout", "1.4.0", Set.of(Stage.TEST, Stage.SECURITY), "rita", SUBMITTED);
        assertEquals(Set.of(Stage.REVIEW, Stage.TEST, Stage.SECURITY), noReview.requiredGates());
        GateDecision waiting = GateEvaluator.evaluate(noReview, List.of(TEST_PASS, SECURITY_PASS), List.of(), POLICY, NOW);
        assertEquals(GateOutcome.WAITING, waiting.outcome(), "no review yet: " + waiting.reasons());
        assertEquals(Stage.REVIEW, waiting.reasons().stream().filter(r -> r.rule().equals(GATE_MISSING)).findFirst().orElseThrow().stage());
        assertEquals(GateOutcome.BLOCKED, GateEvaluator.evaluate(noReview, List.of(TEST_PASS, SECURITY_PASS), List.of(), POLICY,
                SUBMITTED.plus(Duration.ofHours(1))).outcome(), "no review by the deadline");
        assertEquals(GateOutcome.CLEARED, GateEvaluator.evaluate(noReview, List.of(REVIEW_PASS, TEST_PASS, SECURITY_PASS), List.of(), POLICY, NOW)
                .outcome());
    }

    static Stream<Stage> optionalStages() {
        return Stream.of(Stage.TEST, Stage.SECURITY);
    }

    @org.junit.jupiter.api.Test
    void everyReasonNamesItsGateAndRule() {
        GateDecision decision = GateEvaluator.evaluate(CANDIDATE, List.of(REVIEW_PASS, TEST_PASS,
                report(Stage.SECURITY, Verdict.FAIL, open("S-9", Severity.HIGH))), List.of(), POLICY, NOW);
        Reason blocking = decision.reasons().stream().filter(r -> r.effect() == Reason.Effect.BLOCKS).findFirst().orElseThrow();
        assertEquals(Stage.SECURITY, blocking.stage());
        assertEquals("S-9", blocking.findingId());
        assertEquals(SECURITY_FINDING_NOT_ACCEPTED, blocking.rule());
        assertEquals(3, decision.reasons().size(), "one reason per gate: " + decision.reasons());
    }
}
