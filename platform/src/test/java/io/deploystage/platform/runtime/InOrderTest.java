package io.deploystage.platform.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

class InOrderTest {

    private static final List<Integer> MANY = IntStream.range(0, 200_000).boxed().toList();

    @Test
    void stepsThatAnswerAtOnceDoNotDeepenTheStack() {
        // a recursive chain of 200,000 synchronous steps overflows the stack; the loop does not
        List<Integer> doubled = InOrder.map(MANY, i -> Uni.createFrom().item(i * 2)).await().atMost(Duration.ofSeconds(30));
        assertEquals(MANY.size(), doubled.size());
        assertEquals(2 * 199_999, doubled.get(199_999));
    }

    @Test
    void eachStepStartsAfterTheOneBeforeHasFinishedAndTheFirstFailureEndsTheRun() {
        List<String> seen = new ArrayList<>();
        Throwable failure = InOrder.run(List.of(1, 2, 3, 4), i -> {
            seen.add("start " + i);
            if (i == 3) {
                return Uni.createFrom().failure(new IllegalStateException("step 3"));
            }
            // answered later, on another thread: the next step must still wait for it
            return Uni.createFrom().item(i).onItem().delayIt().by(Duration.ofMillis(20)).invoke(() -> seen.add("end " + i));
        }).onItemOrFailure().transform((ok, e) -> e).await().atMost(Duration.ofSeconds(5));
        assertInstanceOf(IllegalStateException.class, failure);
        assertEquals(List.of("start 1", "end 1", "start 2", "end 2", "start 3"), seen);
    }

    @Test
    void aStepThatThrowsFailsTheRunAndStepsGivingNullAddNothing() {
        List<Object> none = InOrder.map(MANY.subList(0, 1000), i -> Uni.createFrom().nullItem()).await().indefinitely();
        assertTrue(none.isEmpty());
        Throwable thrown = InOrder.run(List.of(1), i -> {
            throw new IllegalArgumentException("thrown, not returned");
        }).onItemOrFailure().transform((ok, e) -> e).await().indefinitely();
        assertInstanceOf(IllegalArgumentException.class, thrown);
    }
}
