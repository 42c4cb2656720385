package io.deploystage.executor.domain.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Flag evaluation rules: off by default, kill switch, internal users, stable fractional rollout. */
class FlagEvaluatorTest {

    static Stream<Arguments> cases() {
        Flag on25 = new Flag("new-checkout", true, true, Set.of("dana"), 25, false);
        return Stream.of(
                Arguments.of("a new flag is off", Flag.off("new-checkout"), "u1", false, false, "DISABLED"),
                Arguments.of("a killed flag is off even for internal users", new Flag("f", true, true, Set.of("dana"), 100, true), "dana", true,
                        false, "DISABLED"),
                Arguments.of("internal user by key", on25, "dana", false, true, "TARGETING_MATCH"),
                Arguments.of("internal user by context", on25, "x", true, true, "TARGETING_MATCH"),
                Arguments.of("internal users before anyone else", new Flag("f", true, true, Set.of("dana"), 0, false), "dana", false, true,
                        "TARGETING_MATCH"),
                Arguments.of("0% is off for everyone else", new Flag("f", true, true, Set.of("dana"), 0, false), "u1", false, false, "STATIC"),
                Arguments.of("100% is on for everyone", new Flag("f", true, false, Set.of(), 100, false), "u1", false, true, "STATIC"),
                Arguments.of("internal targeting closed", new Flag("f", true, false, Set.of("dana"), 0, false), "dana", true, false, "STATIC"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void evaluates(String name, Flag flag, String targetingKey, boolean internal, boolean value, String reason) {
        FlagEvaluation evaluation = FlagEvaluator.evaluate(flag, targetingKey, internal);
        assertEquals(value, evaluation.value(), name);
        assertEquals(reason, evaluation.reason(), name);
    }

    @Test
    void aFractionalRolloutReachesItsShareAndKeepsEachUsersAnswerAsItGrows() {
        int users = 20_000;
        for (int percent : new int[] {1, 5, 25}) {
            Flag flag = new Flag("new-checkout", true, false, Set.of(), percent, false);
            long on = IntStream.range(0, users).filter(i -> FlagEvaluator.evaluate(flag, "user-" + i, false).value()).count();
            double share = 100.0 * on / users;
            assertTrue(Math.abs(share - percent) < Math.max(0.5, percent * 0.1), percent + "% rollout reached " + share + "%");
        }
        Flag five = new Flag("new-checkout", true, false, Set.of(), 5, false);
        Flag twentyFive = new Flag("new-checkout", true, false, Set.of(), 25, false);
        IntStream.range(0, users).forEach(i -> {
            if (FlagEvaluator.evaluate(five, "user-" + i, false).value()) {
                assertTrue(FlagEvaluator.evaluate(twentyFive, "user-" + i, false).value(), "user-" + i + " keeps the flag as it grows");
            }
        });
        assertEquals(FlagEvaluator.bucket("new-checkout", "user-42"), FlagEvaluator.bucket("new-checkout", "user-42"));
    }

    @Test
    void aSplitWithoutATargetingKeyIsAnError() {
        assertThrows(IllegalArgumentException.class,
                () -> FlagEvaluator.evaluate(new Flag("f", true, false, Set.of(), 25, false), null, false));
    }
}
