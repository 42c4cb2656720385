package io.deploystage.executor.domain;

import java.util.EnumSet;
import java.util.Set;

/** Where a deployment stands. */
public enum DeploymentState {
    /** Waiting for another deployment of the same service to finish. */
    QUEUED,
    /** Running its forward steps. */
    RUNNING,
    /** Stopped between steps until an operator resumes, aborts or rolls back. */
    PAUSED,
    /** Staging done; production waits for the deployment window (or a freeze's end) and starts on its own then. */
    WAITING_FOR_WINDOW,
    /** Running the plan's rollback procedure. */
    ROLLING_BACK,
    DEPLOYED,
    ROLLED_BACK,
    FAILED,
    ABORTED;

    /** Deployments that hold their service: at most one per service at a time. */
    public static final Set<DeploymentState> ACTIVE = EnumSet.of(QUEUED, RUNNING, PAUSED, WAITING_FOR_WINDOW, ROLLING_BACK);
    /** Deployments that have left the queue and not ended. */
    public static final Set<DeploymentState> UNDER_WAY = EnumSet.of(RUNNING, PAUSED, WAITING_FOR_WINDOW, ROLLING_BACK);
    /** Deployments a driver advances. */
    public static final Set<DeploymentState> DRIVEN = EnumSet.of(RUNNING, ROLLING_BACK);

    public boolean finished() {
        return this == DEPLOYED || this == ROLLED_BACK || this == FAILED || this == ABORTED;
    }
}
