package io.deploystage.executor.application;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.deploystage.executor.domain.Phase;

/** The heartbeat's check wakes a waiting step only if its driver is still on the step the check saw. */
class RunningStepsTest {

    private final RunningSteps running = new RunningSteps();
    private final UUID deployment = UUID.randomUUID();

    @Test
    void aCheckThatSawTheStepTheDriverIsStillOnWakesIt() {
        running.claim(deployment);
        CompletableFuture<Void> signal = running.signal(deployment);
        running.on(deployment, new RunningSteps.At(Phase.FORWARD, 3));
        RunningSteps.At seen = running.onSteps().get(deployment);

        running.cancelIfStillAt(deployment, seen);

        assertTrue(signal.isDone(), "the step the deployment moved away from is woken");
        assertFalse(running.signal(deployment).isDone(), "the next step watches a fresh signal");
    }

    @Test
    void aCheckThatSawAStepTheDriverHasFinishedLeavesTheNextStepAlone() {
        running.claim(deployment);
        running.on(deployment, new RunningSteps.At(Phase.FORWARD, 3));
        RunningSteps.At seen = running.onSteps().get(deployment);
        // the driver records step 3's result (the database now says step 4) and starts step 4 before the check compares
        running.on(deployment, null);
        CompletableFuture<Void> next = running.signal(deployment);
        running.on(deployment, new RunningSteps.At(Phase.FORWARD, 4));

        running.cancelIfStillAt(deployment, seen);

        assertFalse(next.isDone(), "step 4 is not cancelled by a check of step 3");
    }

    @Test
    void theSameStepRunAgainIsAnotherStep() {
        running.claim(deployment);
        running.on(deployment, new RunningSteps.At(Phase.FORWARD, 3));
        RunningSteps.At seen = running.onSteps().get(deployment);
        running.on(deployment, null);
        CompletableFuture<Void> again = running.signal(deployment);
        running.on(deployment, new RunningSteps.At(Phase.FORWARD, 3));

        running.cancelIfStillAt(deployment, seen);

        assertFalse(again.isDone(), "a check of the first run does not cancel the second");
    }

    @Test
    void aCancellationWakesTheStepWhateverItIsOn() {
        running.claim(deployment);
        CompletableFuture<Void> signal = running.signal(deployment);
        running.cancel(deployment);
        assertTrue(signal.isDone());
    }
}
