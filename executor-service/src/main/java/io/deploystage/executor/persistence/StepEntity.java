package io.deploystage.executor.persistence;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import io.deploystage.executor.domain.Phase;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One step of a deployment as it ran: written STARTED before the step runs, and its result after. */
@Entity
@Table(name = "deployment_step")
@IdClass(StepEntity.Key.class)
public class StepEntity extends PanacheEntityBase {

    public static final String STARTED = "STARTED";
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FAILED = "FAILED";
    public static final String SKIPPED = "SKIPPED";
    /** Found STARTED after a restart and not safe to re-run: waits for an operator. */
    public static final String INTERRUPTED = "INTERRUPTED";
    /** Health was inconclusive: waits for an operator to resume (continue) or roll back. */
    public static final String AWAITING_OPERATOR = "AWAITING_OPERATOR";
    /** It was running when a rollback or an abort stopped the deployment: it may have changed something (a rollback undoes it). */
    public static final String STOPPED = "STOPPED";

    @Id
    @Column(name = "deployment_id")
    public UUID deploymentId;

    @Id
    @Enumerated(EnumType.STRING)
    public Phase phase;

    @Id
    @Column(name = "step_index")
    public int stepIndex;

    @Column(name = "step_id")
    public String stepId;

    public String environment;

    public String kind;

    public String status;

    public int runs;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    public String detail;

    /** The composite key. */
    public static class Key implements Serializable {
        public UUID deploymentId;
        public Phase phase;
        public int stepIndex;

        public Key() {
        }

        public Key(UUID deploymentId, Phase phase, int stepIndex) {
            this.deploymentId = deploymentId;
            this.phase = phase;
            this.stepIndex = stepIndex;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.deploymentId.equals(deploymentId) && k.phase == phase && k.stepIndex == stepIndex;
        }

        @Override
        public int hashCode() {
            return Objects.hash(deploymentId, phase, stepIndex);
        }
    }
}
