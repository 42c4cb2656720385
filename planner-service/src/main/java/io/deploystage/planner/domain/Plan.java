package io.deploystage.planner.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.deploystage.platform.domain.DeploymentCalendar;

/** A complete deployment plan: what the two artifacts and the DeploymentPlan event are made from. */
public record Plan(String releaseId, String service, String version, String commit, Instant window, String requestedBy, String reviewer,
        RiskAssessment risk, StrategyChoice choice, List<PlanStep> steps, List<HealthCheck> healthChecks, List<String> rollbackTriggers,
        List<PlanStep> rollbackProcedure, List<String> constraints, List<Integer> flagStages, int trafficRevertMinutes,
        int fullRollbackMinutes, boolean heldForEscalation, String escalationContact, String teamChannel, boolean userFacing,
        boolean migration, Map<Environment, Map<String, String>> metricQueries, DeploymentCalendar calendar, String incidentId) {

    public Plan {
        steps = List.copyOf(steps);
        healthChecks = List.copyOf(healthChecks);
        rollbackTriggers = List.copyOf(rollbackTriggers);
        rollbackProcedure = List.copyOf(rollbackProcedure);
        constraints = List.copyOf(constraints);
        flagStages = List.copyOf(flagStages);
        metricQueries = metricQueries == null ? Map.of() : Map.copyOf(metricQueries);
        calendar = calendar == null ? DeploymentCalendar.always() : calendar;
    }

    public Strategy strategy() {
        return choice.strategy();
    }
}
