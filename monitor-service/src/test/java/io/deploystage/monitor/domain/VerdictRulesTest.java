package io.deploystage.monitor.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every verdict rule: absolute, relative, minimum samples, errors against a zero baseline, direction, and the statistical test. */
class VerdictRulesTest {

    static final Duration MINUTE = Duration.ofMinutes(1);

    static Window window(long requests, long errors, double latencyMs, long latencyCount, Map<String, Double> business, long newErrors) {
        double[] latencies = new double[(int) latencyCount];
        java.util.Arrays.fill(latencies, latencyMs);
        return Window.of(MINUTE, requests, errors, latencies, business, newErrors);
    }

    static Window traffic(long requests, long errors) {
        return window(requests, errors, 100, requests, Map.of(), 0);
    }

    static final Check ERROR_RATE = new Check(Metric.ERROR_RATE, 1.0, 0.2, null, false, 100);
    static final Check P95 = new Check(Metric.LATENCY_P95, 300, 0.2, null, false, 100);
    static final Check ORDERS_UP = new Check(Metric.BUSINESS_METRIC, 20, null, "orders", true, 100);
    static final Check REFUNDS_DOWN = new Check(Metric.BUSINESS_METRIC, 20, null, "refunds", false, 100);
    static final Check THROUGHPUT = new Check(Metric.THROUGHPUT, 0, 0.3, null, true, 100);
    static final Check LOGS = new Check(Metric.NEW_LOG_ERRORS, 0, null, null, false, 1);
    static final Check WARNINGS = new Check(Metric.NEW_LOG_WARNINGS, 0, 0.5, null, false, 1);
    static final Check ERROR_RATE_5 = new Check(Metric.ERROR_RATE, 5.0, 0.2, null, false, 100);
    static final Check P99 = new Check(Metric.LATENCY_P99, 500, 0.5, null, false, 100);
    static final Check P50 = new Check(Metric.LATENCY_P50, 100, 0.5, null, false, 100);

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("error rate under the threshold and the baseline", ERROR_RATE, traffic(10_000, 50), traffic(10_000, 50), Verdict.HEALTHY),
                Arguments.of("error rate above the absolute threshold", ERROR_RATE, traffic(1_000, 20), traffic(10_000, 150), Verdict.FAILING),
                Arguments.of("error rate 40% worse than the baseline, under the threshold, significantly", ERROR_RATE, traffic(50_000, 350),
                        traffic(100_000, 500), Verdict.FAILING),
                Arguments.of("error rate 40% worse but within noise (35/5000 against 50/10000)", ERROR_RATE, traffic(5_000, 35), traffic(10_000, 50),
                        Verdict.HEALTHY),
                Arguments.of("errors where the baseline had none (Kayenta #799 passes this)", ERROR_RATE, traffic(5_000, 10), traffic(10_000, 0),
                        Verdict.FAILING),
                Arguments.of("one error in 100 against none in 700 is noise, not a breach", ERROR_RATE_5, traffic(100, 1), traffic(700, 0),
                        Verdict.HEALTHY),
                Arguments.of("30 errors in 1000 against none in 1000 is a breach under the absolute threshold", ERROR_RATE_5, traffic(1_000, 30),
                        traffic(1_000, 0), Verdict.FAILING),
                Arguments.of("p99 above the absolute threshold", P99, window(1_000, 0, 600, 1_000, Map.of(), 0),
                        window(1_000, 0, 400, 1_000, Map.of(), 0), Verdict.FAILING),
                Arguments.of("p99 60% worse than the baseline", P99, window(1_000, 0, 480, 1_000, Map.of(), 0),
                        window(1_000, 0, 300, 1_000, Map.of(), 0), Verdict.FAILING),
                Arguments.of("p99 within both", P99, window(1_000, 0, 320, 1_000, Map.of(), 0), window(1_000, 0, 300, 1_000, Map.of(), 0),
                        Verdict.HEALTHY),
                Arguments.of("p50 above the absolute threshold", P50, window(1_000, 0, 120, 1_000, Map.of(), 0),
                        window(1_000, 0, 90, 1_000, Map.of(), 0), Verdict.FAILING),
                Arguments.of("no latencies at all is inconclusive", P99, window(1_000, 0, 100, 0, Map.of(), 0),
                        window(1_000, 0, 300, 1_000, Map.of(), 0), Verdict.INCONCLUSIVE),
                Arguments.of("no errors now and before", ERROR_RATE, traffic(5_000, 0), traffic(10_000, 0), Verdict.HEALTHY),
                Arguments.of("too few samples is inconclusive, never healthy", ERROR_RATE, traffic(99, 0), traffic(10_000, 0), Verdict.INCONCLUSIVE),
                Arguments.of("too few samples in the baseline", ERROR_RATE, traffic(5_000, 10), traffic(50, 0), Verdict.INCONCLUSIVE),
                Arguments.of("p95 above the absolute threshold", P95, window(1_000, 0, 350, 1_000, Map.of(), 0),
                        window(1_000, 0, 200, 1_000, Map.of(), 0), Verdict.FAILING),
                Arguments.of("p95 30% worse than the baseline", P95, window(1_000, 0, 260, 1_000, Map.of(), 0),
                        window(1_000, 0, 200, 1_000, Map.of(), 0), Verdict.FAILING),
                Arguments.of("p95 10% worse: within the allowance", P95, window(1_000, 0, 220, 1_000, Map.of(), 0),
                        window(1_000, 0, 200, 1_000, Map.of(), 0), Verdict.HEALTHY),
                Arguments.of("orders (higher is better) dropped 30%", ORDERS_UP, window(1_000, 0, 100, 10, Map.of("orders", 70.0), 0),
                        window(1_000, 0, 100, 10, Map.of("orders", 100.0), 0), Verdict.FAILING),
                Arguments.of("orders rose 30%: good", ORDERS_UP, window(1_000, 0, 100, 10, Map.of("orders", 130.0), 0),
                        window(1_000, 0, 100, 10, Map.of("orders", 100.0), 0), Verdict.HEALTHY),
                Arguments.of("refunds (lower is better) rose 30%", REFUNDS_DOWN, window(1_000, 0, 100, 10, Map.of("refunds", 13.0), 0),
                        window(1_000, 0, 100, 10, Map.of("refunds", 10.0), 0), Verdict.FAILING),
                Arguments.of("refunds dropped 30%: good", REFUNDS_DOWN, window(1_000, 0, 100, 10, Map.of("refunds", 7.0), 0),
                        window(1_000, 0, 100, 10, Map.of("refunds", 10.0), 0), Verdict.HEALTHY),
                Arguments.of("a business metric with no value is inconclusive", ORDERS_UP, window(1_000, 0, 100, 10, Map.of(), 0),
                        window(1_000, 0, 100, 10, Map.of("orders", 100.0), 0), Verdict.INCONCLUSIVE),
                Arguments.of("throughput dropped by half", THROUGHPUT, traffic(500, 0), traffic(1_000, 0), Verdict.FAILING),
                Arguments.of("throughput spiking", THROUGHPUT, traffic(2_000, 0), traffic(1_000, 0), Verdict.FAILING),
                Arguments.of("throughput normal", THROUGHPUT, traffic(1_100, 0), traffic(1_000, 0), Verdict.HEALTHY),
                Arguments.of("new ERROR lines", LOGS, window(1_000, 0, 100, 10, Map.of(), 0).withLogs(3, 0), traffic(1_000, 0), Verdict.FAILING),
                Arguments.of("an ERROR line among the first 5 requests, 20 needed: not yet evidence", new Check(Metric.NEW_LOG_ERRORS, 0, null, null,
                        false, 20), window(5, 0, 100, 5, Map.of(), 0).withLogs(1, 0), traffic(1_000, 0), Verdict.INCONCLUSIVE),
                Arguments.of("ERROR lines among 20 requests, 20 needed", new Check(Metric.NEW_LOG_ERRORS, 0, null, null, false, 20),
                        window(20, 0, 100, 20, Map.of(), 0).withLogs(1, 0), traffic(1_000, 0), Verdict.FAILING),
                Arguments.of("a source that counts lines but no requests: the lines alone", new Check(Metric.NEW_LOG_ERRORS, 0, null, null, false,
                        20), window(0, 0, 100, 0, Map.of(), 0).withLogs(2, 0), traffic(1_000, 0), Verdict.FAILING),
                Arguments.of("no new ERROR lines", LOGS, window(1_000, 0, 100, 10, Map.of(), 0).withLogs(0, 0), traffic(1_000, 0), Verdict.HEALTHY),
                Arguments.of("no log source: 0 lines is no evidence", LOGS, window(1_000, 0, 100, 10, Map.of(), 0), traffic(1_000, 0),
                        Verdict.INCONCLUSIVE),
                Arguments.of("new WARN lines where the baseline had none", WARNINGS, traffic(1_000, 0).withLogs(0, 5), traffic(1_000, 0).withLogs(0, 0),
                        Verdict.FAILING),
                Arguments.of("WARN lines as often as before the deploy", WARNINGS, traffic(1_000, 0).withLogs(0, 5), traffic(1_000, 0).withLogs(0, 5),
                        Verdict.HEALTHY),
                Arguments.of("WARN lines with no log source", WARNINGS, traffic(1_000, 0), traffic(1_000, 0), Verdict.INCONCLUSIVE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void judges(String name, Check check, Window now, Window baseline, Verdict verdict) {
        Assessment assessment = ThresholdEvaluator.assess(check, now, baseline, 0.95);
        assertEquals(verdict, assessment.verdict(), name + ": " + assessment.reason());
        assertTrue(!assessment.reason().isBlank());
    }

    @Test
    void aWindowFailsOnAnyFailingCheckAndIsInconclusiveOnAnyInconclusiveOne() {
        Assessment healthy = new Assessment("ERROR_RATE", Metric.ERROR_RATE, Verdict.HEALTHY, 0.1, 0.1, 1, 1000, "ok");
        Assessment unsure = new Assessment("LATENCY_P95", Metric.LATENCY_P95, Verdict.INCONCLUSIVE, null, null, 300, 3, "few");
        Assessment failing = new Assessment("THROUGHPUT", Metric.THROUGHPUT, Verdict.FAILING, 1.0, 2.0, 0, 1000, "drop");
        assertEquals(Verdict.HEALTHY, ThresholdEvaluator.overall(List.of(healthy)));
        assertEquals(Verdict.INCONCLUSIVE, ThresholdEvaluator.overall(List.of(healthy, unsure)));
        assertEquals(Verdict.FAILING, ThresholdEvaluator.overall(List.of(healthy, unsure, failing)));
        assertEquals(Verdict.INCONCLUSIVE, ThresholdEvaluator.overall(List.of()), "no checks: fail closed");
    }

    @Test
    void fisherExactTestMatchesKnownValues() {
        assertEquals(0.125, FisherExact.pGreater(1, 100, 0, 700), 1e-9, "the one error falls among the 100 new requests: 100/800");
        assertEquals(1.0, FisherExact.pGreater(0, 100, 0, 700), 1e-12);
        // the lady tasting tea: 3 of 4 right, one-sided p = 17/70
        assertEquals(17.0 / 70, FisherExact.pGreater(3, 4, 1, 4), 1e-9);
        assertTrue(FisherExact.pGreater(30, 1_000, 0, 1_000) < 1e-8);
        assertTrue(FisherExact.pGreater(350, 50_000, 500, 100_000) < 0.001);
        assertEquals(Math.log(3628800), FisherExact.logFactorial(10), 1e-9);
    }

    @Test
    void mannWhitneyMatchesScipysDocumentedExample() {
        MannWhitney.Result result = MannWhitney.test(new double[] {19, 22, 16, 29, 24}, new double[] {20, 11, 17, 12});
        assertEquals(17.0, result.u());
        assertEquals(0.0556734432665702, result.pGreater(), 1e-6);
        assertEquals(0.11134688653314041, 2 * result.pGreater(), 2e-6);
    }

    @Test
    void mannWhitneyHandlesTiesAndOrder() {
        MannWhitney.Result separated = MannWhitney.test(new double[] {6, 7, 8, 9, 10}, new double[] {1, 2, 3, 4, 5});
        assertEquals(25.0, separated.u());
        assertTrue(separated.pGreater() < 0.01, "all greater: " + separated.pGreater());
        MannWhitney.Result reversed = MannWhitney.test(new double[] {1, 2, 3, 4, 5}, new double[] {6, 7, 8, 9, 10});
        assertTrue(reversed.pGreater() > 0.99);
        MannWhitney.Result allTied = MannWhitney.test(new double[] {5, 5, 5}, new double[] {5, 5, 5});
        assertEquals(0.5, allTied.pGreater(), 1e-9);
    }

    static Window latencies(double[] values) {
        return Window.of(MINUTE, values.length, 0, values, Map.of(), 0);
    }

    static Stream<Arguments> canaryRules() {
        Random random = new Random(7);
        double[] stable = random.doubles(400).map(x -> 100 + 20 * x).toArray();
        double[] same = random.doubles(400).map(x -> 100 + 20 * x).toArray();
        double[] slower = random.doubles(400).map(x -> 120 + 20 * x).toArray();
        double[] slightlySlower = random.doubles(400).map(x -> 102 + 20 * x).toArray();
        Check p95 = new Check(Metric.LATENCY_P95, 300, 0.05, null, false, 50);
        Check errors = new Check(Metric.ERROR_RATE, 5, 0.2, null, false, 100);
        return Stream.of(
                Arguments.of("a canary as fast as stable", p95, latencies(same), latencies(stable), Verdict.HEALTHY),
                Arguments.of("a canary 20 ms slower: significant and beyond the allowed 5%", p95, latencies(slower), latencies(stable),
                        Verdict.FAILING),
                Arguments.of("a canary 2 ms slower: within the allowed 5%", p95, latencies(slightlySlower), latencies(stable), Verdict.HEALTHY),
                Arguments.of("too few canary samples", p95, latencies(new double[] {500, 600}), latencies(stable), Verdict.INCONCLUSIVE),
                Arguments.of("canary errors where stable has none", errors, traffic(2_000, 30), traffic(2_000, 0), Verdict.FAILING),
                Arguments.of("the canary's error rate as stable's", errors, traffic(2_000, 10), traffic(2_000, 10), Verdict.HEALTHY),
                Arguments.of("3 errors against 1 in 200: not significant", errors, traffic(200, 3), traffic(200, 1), Verdict.HEALTHY),
                Arguments.of("fewer canary errors than stable", errors, traffic(2_000, 2), traffic(2_000, 20), Verdict.HEALTHY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("canaryRules")
    void theCanaryJudgeComparesCanaryWithStable(String name, Check check, Window canary, Window stable, Verdict verdict) {
        Assessment assessment = CanaryJudge.judge(check, canary, stable, 0.95);
        assertEquals(verdict, assessment.verdict(), name + ": " + assessment.reason());
        assertEquals("CANARY_" + check.metric(), assessment.check());
    }

    @Test
    void mannWhitneyOnHistogramsAndProportionsMatchesTheTestOnRawValues() {
        double[] first = {19, 22, 16, 29, 24, 22};
        double[] second = {20, 11, 17, 12, 22};
        MannWhitney.Result raw = MannWhitney.test(first, second);
        MannWhitney.Result histograms = MannWhitney.test(latencies(first).latencies(), latencies(second).latencies());
        assertEquals(raw.u(), histograms.u(), 1e-9);
        assertEquals(raw.pGreater(), histograms.pGreater(), 1e-12);
        double[] failuresA = new double[100];
        double[] failuresB = new double[80];
        java.util.Arrays.fill(failuresA, 0, 12, 1);
        java.util.Arrays.fill(failuresB, 0, 3, 1);
        MannWhitney.Result bernoulli = MannWhitney.test(failuresA, failuresB);
        MannWhitney.Result proportions = MannWhitney.testProportions(12, 100, 3, 80);
        assertEquals(bernoulli.u(), proportions.u(), 1e-9);
        assertEquals(bernoulli.pGreater(), proportions.pGreater(), 1e-12);
    }

    @Test
    void windowsAddUp() {
        Window a = Window.of(MINUTE, 100, 1, new double[] {10, 20}, Map.of("orders", 10.0), 1);
        Window b = Window.of(Duration.ofMinutes(3), 300, 2, new double[] {30}, Map.of("orders", 20.0), 0);
        Window sum = a.plus(b);
        assertEquals(Duration.ofMinutes(4), sum.length());
        assertEquals(400, sum.requests());
        assertEquals(3, sum.errors());
        assertEquals(3, sum.latencies().getTotalCount());
        assertEquals(17.5, sum.businessMetrics().get("orders"), 1e-9, "a rate, weighted by the windows' lengths");
        assertEquals(1, sum.newErrorLines());
        Window restored = new Window(sum.length(), sum.requests(), sum.errors(), Window.latenciesFrom(sum.latencyBytes()),
                sum.businessMetrics(), sum.newErrorLines(), 0, false, null, null);
        assertEquals(sum.percentileMs(95), restored.percentileMs(95));
        java.time.Instant t = java.time.Instant.parse("2026-12-01T10:00:00Z");
        Window spans = a.over(t, t.plusSeconds(60)).withLogs(1, 2).plus(b.over(t.plusSeconds(120), t.plusSeconds(300)));
        assertEquals(t, spans.start());
        assertEquals(t.plusSeconds(300), spans.end());
        assertTrue(spans.logsCounted(), "counted in one of them");
        assertEquals(2, spans.newWarnLines());
    }

    @Test
    void theJudgementAddsTheCanaryComparisonOnlyForCanaryWindowsWithAStableCohort() {
        List<Check> checks = List.of(ERROR_RATE, P95, LOGS);
        Window now = traffic(1_000, 0);
        assertEquals(3, HealthJudgement.judge(checks, now, traffic(10_000, 0), null, null, null, 0.95).size());
        List<Assessment> withCanary = HealthJudgement.judge(checks, now, traffic(10_000, 0), traffic(1_000, 20), traffic(1_000, 0), null, 0.95);
        assertEquals(List.of("ERROR_RATE", "LATENCY_P95", "NEW_LOG_ERRORS", "CANARY_ERROR_RATE", "CANARY_LATENCY_P95"),
                withCanary.stream().map(Assessment::check).toList());
        assertEquals(List.of("CANARY_ERROR_RATE"), HealthJudgement.breaches(withCanary).stream().map(Assessment::check).toList());
    }

    static Stream<Arguments> readiness() {
        Window twenty = Window.of(Duration.ofSeconds(5), 20, 0, new double[0], Map.of(), 0);
        Window sixtyIn20s = Window.of(Duration.ofSeconds(20), 60, 0, new double[0], Map.of(), 0);
        return Stream.of(
                Arguments.of("nothing measured yet", List.of(ERROR_RATE, LOGS), Window.empty(), false),
                Arguments.of("60 of the 100 the error rate needs, over 20 s: held open", List.of(ERROR_RATE, LOGS), sixtyIn20s, false),
                Arguments.of("60 of 100, but measured over the longest window: said (INCONCLUSIVE)", List.of(ERROR_RATE, LOGS),
                        sixtyIn20s.plus(Window.of(Duration.ofSeconds(40), 0, 0, new double[0], Map.of(), 0)), true),
                Arguments.of("the most demanding check decides: 20 is enough for logs, not for the error rate", List.of(LOGS, ERROR_RATE), twenty,
                        false),
                Arguments.of("20 samples where 1 is needed", List.of(LOGS), twenty, true),
                Arguments.of("100 requests: enough for both", List.of(ERROR_RATE, P95), traffic(100, 0).over(null, null), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readiness")
    void aCohortsWindowIsSaidOnceItHoldsTheSamplesItsChecksNeedOrHasMeasuredTheLongestWindow(String name, List<Check> checks, Window pending,
            boolean ready) {
        assertEquals(ready, HealthJudgement.ready(checks, pending, MINUTE), name);
    }

    @Test
    void aSplitEnvironmentsThroughputIsJudgedOnAllItsCohortsNotOnTheCanarysShare() {
        List<Check> checks = List.of(THROUGHPUT);
        Window baseline = traffic(6_000, 0); // 100 req/s over a minute
        Window canary = traffic(300, 0); // 5 req/s: its 5% share
        Window stable = traffic(5_700, 0); // 95 req/s over the same minute
        assertEquals(Verdict.FAILING, HealthJudgement.judge(checks, canary, baseline, null, null, null, 0.95).get(0).verdict(),
                "alone, the canary's share looks like a 95% drop");
        Assessment split = HealthJudgement.judge(checks, canary, baseline, canary, stable, canary.alongside(stable), 0.95).get(0);
        assertEquals(Verdict.HEALTHY, split.verdict(), split.reason());
        assertEquals(100.0, split.value(), 0.01);
        Window halfGone = traffic(2_700, 0); // the stable instances serve only 45 req/s: the environment lost half its traffic
        assertEquals(Verdict.FAILING, HealthJudgement.judge(checks, canary, baseline, canary, halfGone, canary.alongside(halfGone), 0.95).get(0)
                .verdict());
    }
}
