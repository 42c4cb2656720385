package io.deploystage.executor.application;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.deploystage.events.DeploymentArtifacts;
import io.deploystage.events.DeploymentArtifacts.ChecklistRecord;
import io.deploystage.events.DeploymentArtifacts.Mark;
import io.deploystage.events.DeploymentArtifacts.StepRecord;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.Environment;
import io.deploystage.events.HealthCheck;
import io.deploystage.events.MetricKind;
import io.deploystage.events.PlanStep;
import io.deploystage.events.StepKind;
import io.deploystage.executor.domain.Phase;
import io.deploystage.executor.domain.StepLifecycle;
import io.deploystage.executor.persistence.DeploymentEntity;
import io.deploystage.executor.persistence.StepEntity;
import io.deploystage.executor.persistence.VerdictEntity;

/**
 * The deployment checklist as the record of what was done: each step's status and time (and why it was skipped or
 * failed), the rollback steps that ran, the latest verdict of each post-deploy check with its numbers, the smoke tests,
 * and the result with the version each instance was left on.
 */
public final class CompletedChecklist {

    private CompletedChecklist() {
    }

    public static String render(DeploymentEntity deployment, List<StepEntity> rows, List<VerdictEntity> verdictsOldestFirst) {
        DeploymentPlan plan = Deployments.plan(deployment);
        List<StepRecord> forward = records(plan.getSteps(), rows, Phase.FORWARD);
        List<StepRecord> rollback = records(plan.getRollbackProcedure(), rows, Phase.ROLLBACK);
        Map<MetricKind, String> checks = new EnumMap<>(MetricKind.class);
        for (HealthCheck check : plan.getHealthChecks()) {
            verdictsOldestFirst.stream().filter(v -> v.check.equals(check.getMetric().name()) && !"STAGING".equals(v.environment)).reduce((a, b) -> b)
                    .ifPresent(v -> checks.put(check.getMetric(), v.verdict + ": " + v.reason));
        }
        String notes = Optional.ofNullable(deployment.reason).orElse("");
        String instances = StepLifecycle.describe(StepLifecycle.instances(Deployments.lifecycle(plan.getSteps()),
                Deployments.lifecycle(plan.getRollbackProcedure()), Deployments.rows(rows)), plan.getVersion());
        if (!instances.isEmpty()) {
            notes = (notes.isEmpty() ? "" : notes + "; ") + "instances: " + instances;
        }
        ChecklistRecord record = new ChecklistRecord(forward, rollback, checks, smokeTests(plan.getSteps(), forward),
                all(plan.getSteps(), forward, Environment.STAGING, StepKind.COMMAND), all(plan.getSteps(), forward, Environment.STAGING, StepKind.HTTP_CHECK),
                deployment.state.name(), notes.isEmpty() ? null : notes);
        return DeploymentArtifacts.deploymentChecklist(plan, record);
    }

    private static List<StepRecord> records(List<PlanStep> steps, List<StepEntity> rows, Phase phase) {
        List<StepRecord> records = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            int index = i;
            records.add(rows.stream().filter(r -> r.phase == phase && r.stepIndex == index).findFirst().map(CompletedChecklist::record)
                    .orElse(StepRecord.NOT_REACHED));
        }
        return records;
    }

    private static StepRecord record(StepEntity row) {
        return switch (row.status) {
            case StepEntity.SUCCEEDED -> new StepRecord(Mark.DONE, row.finishedAt, null);
            case StepEntity.FAILED -> new StepRecord(Mark.FAILED, row.finishedAt, row.detail);
            case StepEntity.SKIPPED -> new StepRecord(Mark.SKIPPED, null, row.detail);
            case StepEntity.STOPPED -> new StepRecord(Mark.STOPPED, row.finishedAt, row.detail);
            default -> new StepRecord(Mark.RUNNING, row.startedAt, null);
        };
    }

    /** PASS when every production smoke test passed, FAIL when one failed, null when they did not all run. */
    private static String smokeTests(List<PlanStep> steps, List<StepRecord> records) {
        List<StepRecord> smoke = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).getEnvironment() == Environment.PRODUCTION && steps.get(i).getKind() == StepKind.HTTP_CHECK
                    && records.get(i).mark() != Mark.SKIPPED) {
                smoke.add(records.get(i));
            }
        }
        if (smoke.stream().anyMatch(r -> r.mark() == Mark.FAILED)) {
            return "FAIL";
        }
        return !smoke.isEmpty() && smoke.stream().allMatch(r -> r.mark() == Mark.DONE) ? "PASS" : null;
    }

    private static boolean all(List<PlanStep> steps, List<StepRecord> records, Environment environment, StepKind kind) {
        boolean any = false;
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).getEnvironment() == environment && steps.get(i).getKind() == kind) {
                if (records.get(i).mark() != Mark.DONE) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }
}
