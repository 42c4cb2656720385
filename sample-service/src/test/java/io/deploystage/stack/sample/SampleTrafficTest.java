package io.deploystage.stack.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The agent reports a request's latency as the instance measured it, and its own measure only without one. */
class SampleTrafficTest {

    @ParameterizedTest(name = "[{index}] Server-Timing ''{0}'' -> {1} ms")
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
            "work;dur=87.3             | 87.3",
            "work;dur=12               | 12.0",
            "cache;desc=hit, work;dur=45.5 | 45.5",
            "NONE                      | 300.0",
            "work;dur=abc              | 300.0",
            "work                      | 300.0",
            "rework;dur=5              | 300.0"})
    void latencyOfARequest(String serverTiming, double expected) {
        assertEquals(expected, SampleTraffic.served(Optional.ofNullable(serverTiming), 300.0), 1e-9);
    }
}
