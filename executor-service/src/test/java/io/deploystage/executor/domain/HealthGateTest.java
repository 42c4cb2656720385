package io.deploystage.executor.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.deploystage.executor.domain.HealthGate.Observed;
import io.deploystage.executor.domain.HealthGate.Outcome;

class HealthGateTest {

    static Observed v(String check, String verdict) {
        return new Observed(check, verdict, check + " is " + verdict.toLowerCase());
    }

    @Test
    void aFailingVerdictFailsAtOnceEvenBeforeTheWindowEnds() {
        HealthGate.Result result = HealthGate.judge(List.of(v("ERROR_RATE", "HEALTHY"), v("LATENCY_P95", "FAILING")), false);
        assertEquals(Outcome.FAIL, result.outcome());
        assertTrue(result.detail().startsWith("LATENCY_P95 FAILING"), result.detail());
    }

    @Test
    void healthyVerdictsPassOnlyWhenTheWindowIsOver() {
        List<Observed> healthy = List.of(v("ERROR_RATE", "HEALTHY"), v("LATENCY_P95", "HEALTHY"));
        assertEquals(Outcome.WAIT, HealthGate.judge(healthy, false).outcome());
        assertEquals(Outcome.PASS, HealthGate.judge(healthy, true).outcome());
    }

    @Test
    void noVerdictIsInconclusiveNeverAPass() {
        assertEquals(Outcome.INCONCLUSIVE, HealthGate.judge(List.of(), true).outcome());
    }

    @Test
    void theLatestVerdictOfEachCheckCounts() {
        assertEquals(Outcome.PASS, HealthGate.judge(List.of(v("ERROR_RATE", "INCONCLUSIVE"), v("ERROR_RATE", "HEALTHY")), true).outcome());
        assertEquals(Outcome.INCONCLUSIVE, HealthGate.judge(List.of(v("ERROR_RATE", "HEALTHY"), v("THROUGHPUT", "INCONCLUSIVE")), true)
                .outcome());
    }

    @Test
    void windowsAreReadFromTheStepParameters() {
        assertEquals(Duration.ofMinutes(10), StepParameters.window(List.of("window=10m", "checks=ERROR_RATE"), Duration.ZERO));
        assertEquals(Duration.ofHours(1), StepParameters.window(List.of("flag=x", "window=1h"), Duration.ZERO));
        assertEquals(Duration.ofMillis(1500), StepParameters.window(List.of("window=1500ms"), Duration.ZERO));
        assertEquals(Duration.ofSeconds(7), StepParameters.window(List.of("window=soon"), Duration.ofSeconds(7)), "unreadable: the fallback");
        assertEquals(Duration.ofSeconds(7), StepParameters.window(List.of(), Duration.ofSeconds(7)));
    }
}
