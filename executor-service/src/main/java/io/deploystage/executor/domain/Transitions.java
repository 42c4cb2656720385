package io.deploystage.executor.domain;

/**
 * The executor's rules as pure functions: what an operator command does to a deployment in a given state, and what
 * follows a failed step. Staging failures stop everything (production is never touched); a production failure starts
 * the rollback procedure; a failed rollback step ends the deployment FAILED for a human to take over.
 */
public final class Transitions {

    /** An operator's request. */
    public enum Action {
        APPROVE, PAUSE, RESUME, ABORT, ROLLBACK
    }

    /** What the command does. */
    public enum Effect {
        /** Only recorded (an approval the waiting step will find). */
        RECORD,
        /** Pause before the next step. */
        REQUEST_PAUSE,
        RESUME,
        /** Stop forward steps; no rollback procedure (nothing changed yet, or the operator's call). */
        ABORT,
        START_ROLLBACK,
        /** Already done: a repeated rollback, for instance. */
        NOTHING,
        REFUSED
    }

    /** The effect, and in words why a command is refused or does nothing. */
    public record Decision(Effect effect, String reason) {
        static Decision of(Effect effect) {
            return new Decision(effect, null);
        }

        static Decision refused(String reason) {
            return new Decision(Effect.REFUSED, reason);
        }
    }

    /** After a failed step. */
    public enum AfterFailure {
        /** A staging step failed: stop, production untouched, outcome FAILED. */
        STOP_FAILED,
        /** A production step failed: run the rollback procedure. */
        ROLL_BACK,
        /** A rollback step failed: outcome FAILED, a human takes over. */
        ROLLBACK_FAILED
    }

    private Transitions() {
    }

    /**
     * What an operator's (or the monitor's) command does. {@code touchedProduction}: a production step of this deployment
     * began; {@code supersededBy}: a newer deployment of the service that has started (null when there is none).
     */
    public static Decision onCommand(DeploymentState state, Phase phase, boolean pauseRequested, Action action, boolean touchedProduction,
            String supersededBy) {
        if (action == Action.ROLLBACK && supersededBy != null && state != DeploymentState.QUEUED) {
            // Rolling back under a newer deployment would put an older version beneath it: that one must be rolled back instead.
            return Decision.refused("superseded: " + supersededBy + " has started since; rolling this deployment back would put production"
                    + " back under it. Roll that deployment back instead");
        }
        if (action == Action.ROLLBACK && state == DeploymentState.ABORTED) {
            // An abort stops where it is; what it left in production can still be rolled back.
            return touchedProduction ? Decision.of(Effect.START_ROLLBACK) : new Decision(Effect.NOTHING, "nothing to roll back: production was"
                    + " not touched");
        }
        if (state.finished() && !(action == Action.ROLLBACK && state == DeploymentState.DEPLOYED)) {
            return action == Action.ROLLBACK && state == DeploymentState.ROLLED_BACK
                    ? new Decision(Effect.NOTHING, "already rolled back")
                    : Decision.refused("the deployment has ended " + state);
        }
        return switch (action) {
            case APPROVE -> Decision.of(Effect.RECORD);
            case PAUSE -> switch (state) {
                case QUEUED, RUNNING, WAITING_FOR_WINDOW -> phase == Phase.ROLLBACK ? Decision.refused("a rollback is not paused")
                        : pauseRequested ? new Decision(Effect.NOTHING, "a pause is already requested") : Decision.of(Effect.REQUEST_PAUSE);
                case PAUSED -> new Decision(Effect.NOTHING, "already paused");
                default -> Decision.refused("a rollback is not paused");
            };
            case RESUME -> state == DeploymentState.PAUSED || pauseRequested ? Decision.of(Effect.RESUME)
                    // the calendar is not an operator's to override: a hotfix passes a freeze with a senior approval naming its incident
                    : state == DeploymentState.WAITING_FOR_WINDOW ? Decision.refused("the deployment waits for its deployment window and starts"
                            + " production on its own when it opens")
                    : Decision.refused("the deployment is " + state + ", not paused");
            case ABORT -> phase == Phase.ROLLBACK ? Decision.refused("a rollback is running; it is not aborted halfway")
                    : Decision.of(Effect.ABORT);
            case ROLLBACK -> switch (state) {
                case QUEUED -> new Decision(Effect.ABORT, "rolled back before it started: nothing was deployed");
                case ROLLING_BACK -> new Decision(Effect.NOTHING, "already rolling back");
                default -> phase == Phase.ROLLBACK ? new Decision(Effect.NOTHING, "already rolling back") : Decision.of(Effect.START_ROLLBACK);
            };
        };
    }

    public static AfterFailure afterFailure(Phase phase, boolean production) {
        if (phase == Phase.ROLLBACK) {
            return AfterFailure.ROLLBACK_FAILED;
        }
        return production ? AfterFailure.ROLL_BACK : AfterFailure.STOP_FAILED;
    }
}
