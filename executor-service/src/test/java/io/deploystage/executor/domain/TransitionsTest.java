package io.deploystage.executor.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.deploystage.executor.domain.Transitions.Action;
import io.deploystage.executor.domain.Transitions.AfterFailure;
import io.deploystage.executor.domain.Transitions.Effect;

class TransitionsTest {

    @ParameterizedTest(name = "{3} on {0}/{1} (pause requested {2}, production touched {5}, superseded {6}) -> {4}")
    @CsvSource({
            // approvals are recorded while the deployment is under way
            "RUNNING, FORWARD, false, APPROVE, RECORD, true, false",
            "PAUSED, FORWARD, false, APPROVE, RECORD, true, false",
            "DEPLOYED, FORWARD, false, APPROVE, REFUSED, true, false",
            // pause: only forward work pauses; a rollback runs to its end
            "RUNNING, FORWARD, false, PAUSE, REQUEST_PAUSE, true, false",
            "QUEUED, FORWARD, false, PAUSE, REQUEST_PAUSE, true, false",
            "RUNNING, FORWARD, true, PAUSE, NOTHING, true, false",
            "PAUSED, FORWARD, false, PAUSE, NOTHING, true, false",
            "ROLLING_BACK, ROLLBACK, false, PAUSE, REFUSED, true, false",
            "FAILED, FORWARD, false, PAUSE, REFUSED, true, false",
            // resume: a paused deployment, or one with a pause not yet taken
            "PAUSED, FORWARD, false, RESUME, RESUME, true, false",
            "PAUSED, ROLLBACK, false, RESUME, RESUME, true, false",
            "RUNNING, FORWARD, true, RESUME, RESUME, true, false",
            "RUNNING, FORWARD, false, RESUME, REFUSED, true, false",
            "DEPLOYED, FORWARD, false, RESUME, REFUSED, true, false",
            // the calendar is not an operator's to override: production starts on its own when the window opens
            "WAITING_FOR_WINDOW, FORWARD, false, RESUME, REFUSED, false, false",
            // abort: forward work only
            "RUNNING, FORWARD, false, ABORT, ABORT, true, false",
            "PAUSED, FORWARD, false, ABORT, ABORT, true, false",
            "QUEUED, FORWARD, false, ABORT, ABORT, true, false",
            "WAITING_FOR_WINDOW, FORWARD, false, ABORT, ABORT, false, false",
            "ROLLING_BACK, ROLLBACK, false, ABORT, REFUSED, true, false",
            "PAUSED, ROLLBACK, false, ABORT, REFUSED, true, false",
            "ABORTED, FORWARD, false, ABORT, REFUSED, true, false",
            // rollback: from any forward state, and after DEPLOYED (the stabilization window); idempotent
            "RUNNING, FORWARD, false, ROLLBACK, START_ROLLBACK, true, false",
            "PAUSED, FORWARD, false, ROLLBACK, START_ROLLBACK, true, false",
            "DEPLOYED, FORWARD, false, ROLLBACK, START_ROLLBACK, true, false",
            "QUEUED, FORWARD, false, ROLLBACK, ABORT, true, false",
            "ROLLING_BACK, ROLLBACK, false, ROLLBACK, NOTHING, true, false",
            "PAUSED, ROLLBACK, false, ROLLBACK, NOTHING, true, false",
            "ROLLED_BACK, ROLLBACK, false, ROLLBACK, NOTHING, true, false",
            "FAILED, FORWARD, false, ROLLBACK, REFUSED, true, false",
            // after an abort, what it left in production can be rolled back; with nothing touched there is nothing to do
            "ABORTED, FORWARD, false, ROLLBACK, START_ROLLBACK, true, false",
            "ABORTED, FORWARD, false, ROLLBACK, NOTHING, false, false",
            "ABORTED, FORWARD, false, PAUSE, REFUSED, true, false",
            // once a newer deployment of the service has started, an older one is not rolled back under it
            "DEPLOYED, FORWARD, false, ROLLBACK, REFUSED, true, true",
            "ABORTED, FORWARD, false, ROLLBACK, REFUSED, true, true",
            "PAUSED, FORWARD, false, ROLLBACK, REFUSED, true, true",
            "QUEUED, FORWARD, false, ROLLBACK, ABORT, false, true",
            "DEPLOYED, FORWARD, false, PAUSE, REFUSED, true, true",
    })
    void operatorCommands(DeploymentState state, Phase phase, boolean pauseRequested, Action action, Effect expected, boolean touched,
            boolean superseded) {
        assertEquals(expected, Transitions.onCommand(state, phase, pauseRequested, action, touched,
                superseded ? "deployment 42 of 1.3.0" : null).effect());
    }

    @ParameterizedTest(name = "{0} failure in production={1} -> {2}")
    @CsvSource({
            "FORWARD, false, STOP_FAILED",
            "FORWARD, true, ROLL_BACK",
            "ROLLBACK, true, ROLLBACK_FAILED",
            "ROLLBACK, false, ROLLBACK_FAILED",
    })
    void failures(Phase phase, boolean production, AfterFailure expected) {
        assertEquals(expected, Transitions.afterFailure(phase, production));
    }
}
