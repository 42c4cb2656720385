package io.deploystage.executor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.Environment;
import io.deploystage.events.PlanStep;
import io.deploystage.events.RiskLevel;
import io.deploystage.events.StepKind;
import io.deploystage.events.Strategy;
import io.deploystage.stack.sample.SampleInstall.Installation;

/**
 * Plans shaped as the planner builds them for each strategy, with commands that run the sample service's real
 * deploy tools (processes on localhost ports) and real HTTP smoke tests.
 */
final class TestPlans {

    private final Installation sample;

    TestPlans(Installation sample) {
        this.sample = sample;
    }

    static DeploymentPlan plan(String service, String version, Strategy strategy, List<PlanStep> steps, List<PlanStep> rollback) {
        UUID id = UUID.randomUUID();
        return DeploymentPlan.newBuilder()
                .setEventId(id)
                .setReleaseId("rel-" + id.toString().substring(0, 8))
                .setOccurredAt(Instant.now())
                .setCausationId(null)
                .setService(service)
                .setVersion(version)
                .setRisk(RiskLevel.MEDIUM)
                .setStrategy(strategy)
                .setRationale("test plan")
                .setSteps(steps)
                .setRollbackProcedure(rollback)
                .setDeploymentChecklist("# checklist")
                .setRollbackPlan("# rollback plan")
                .build();
    }

    PlanStep deploy(String id, Environment environment, String instance, String version) {
        PlanStep step = command(id, environment, List.of(sample.deployTool(), "--environment", environment.name().toLowerCase(), "--instance", instance,
                "--version", version), true);
        step.setInstance(instance);
        return step;
    }

    /** Returns {@code instance} to its previous version, if the forward step {@code undoes} ran. */
    PlanStep undeploy(String instance, String undoes) {
        PlanStep step = command("rollback-" + instance, Environment.PRODUCTION, List.of(sample.deployTool(), "--environment", "production",
                "--instance", instance, "--previous"), false);
        step.setInstance(instance);
        step.setUndoes(List.of(undoes));
        return step;
    }

    static PlanStep undoing(PlanStep step, String... forward) {
        step.setUndoes(List.of(forward));
        return step;
    }

    static PlanStep colour(PlanStep step, String colour) {
        step.setColour(colour);
        return step;
    }

    static PlanStep command(String id, Environment environment, List<String> argv, boolean idempotent) {
        return step(id, environment, StepKind.COMMAND, argv, null, idempotent);
    }

    PlanStep smoke(String id, Environment environment, String instance, String path, int status) {
        return step(id, environment, StepKind.HTTP_CHECK, List.of("GET", sample.url(instance, path), Integer.toString(status)), null, true);
    }

    static PlanStep health(String id, Environment environment) {
        return step(id, environment, StepKind.WAIT_FOR_HEALTH, List.of("window=10m", "checks=ERROR_RATE"), null, true);
    }

    PlanStep traffic(String id, String target, int weight) {
        PlanStep step = step(id, Environment.PRODUCTION, StepKind.TRAFFIC, List.of(sample.trafficTool(), "--to", target, "--weight",
                Integer.toString(weight)), weight, true);
        step.setTrafficTarget(target);
        return step;
    }

    static PlanStep flag(String id, String key, int percent, boolean internal) {
        PlanStep step = step(id, Environment.PRODUCTION, StepKind.FLAG, List.of("deploy-stage", "flag", "set", key, "--rollout",
                internal ? "internal" : Integer.toString(percent)), percent, true);
        step.setFlagKey(key);
        step.setFlagInternal(internal);
        return step;
    }

    static PlanStep approval(String id) {
        return step(id, Environment.PRODUCTION, StepKind.APPROVAL, List.of("--step", id), null, true);
    }

    static PlanStep approval(String id, String role) {
        PlanStep step = approval(id);
        step.setApproverRole(role);
        return step;
    }

    static PlanStep notify(String id) {
        return step(id, Environment.PRODUCTION, StepKind.NOTIFY, List.of("#checkout-oncall"), null, true);
    }

    static PlanStep step(String id, Environment environment, StepKind kind, List<String> argv, Integer percent, boolean idempotent) {
        return PlanStep.newBuilder().setStepId(id).setEnvironment(environment).setKind(kind).setAction(kind + " " + id).setCommand(argv)
                .setExpectedOutcome("ok").setTrafficPercent(percent).setIdempotent(idempotent).build();
    }

    /** Staging first: deploy, smoke test, performance and log scan. */
    List<PlanStep> staging(String version) {
        return new ArrayList<>(List.of(
                deploy("staging-deploy", Environment.STAGING, "staging-1", version),
                smoke("staging-smoke-health", Environment.STAGING, "staging-1", "/health", 200),
                health("staging-performance", Environment.STAGING)));
    }

    DeploymentPlan direct(String service, String version) {
        List<PlanStep> steps = staging(version);
        steps.add(deploy("production-deploy-prod-1", Environment.PRODUCTION, "prod-1", version));
        steps.add(deploy("production-deploy-prod-2", Environment.PRODUCTION, "prod-2", version));
        steps.add(smoke("production-smoke-health", Environment.PRODUCTION, "prod-1", "/health", 200));
        steps.add(health("post-deploy-health", Environment.PRODUCTION));
        return plan(service, version, Strategy.DIRECT, steps, List.of(undeploy("prod-2", "production-deploy-prod-2"),
                undeploy("prod-1", "production-deploy-prod-1"), notify("rollback-notify")));
    }

    DeploymentPlan rolling(String service, String version) {
        List<PlanStep> steps = staging(version);
        for (String instance : List.of("prod-1", "prod-2")) {
            steps.add(deploy("deploy-" + instance, Environment.PRODUCTION, instance, version));
            steps.add(health("verify-" + instance, Environment.PRODUCTION));
        }
        steps.add(smoke("production-smoke-health", Environment.PRODUCTION, "prod-2", "/health", 200));
        return plan(service, version, Strategy.ROLLING, steps, List.of(undeploy("prod-2", "deploy-prod-2"), undeploy("prod-1", "deploy-prod-1"),
                notify("rollback-notify")));
    }

    /** Steps for either idle colour, as the planner writes them: the executor runs those of the colour idle at the start. */
    DeploymentPlan blueGreen(String service, String version) {
        List<PlanStep> steps = staging(version);
        List<PlanStep> rollback = new ArrayList<>();
        for (String idle : List.of("blue", "green")) {
            String live = idle.equals("blue") ? "green" : "blue";
            steps.add(colour(deploy("deploy-" + idle, Environment.PRODUCTION, idle, version), idle));
            steps.add(colour(smoke("verify-" + idle + "-health", Environment.PRODUCTION, idle, "/health", 200), idle));
            steps.add(colour(traffic("switch-to-" + idle, idle, 100), idle));
            steps.add(colour(health("keep-" + live + "-warm", Environment.PRODUCTION), idle));
            rollback.add(colour(undoing(traffic("rollback-switch-to-" + live, live, 100), "switch-to-" + idle), live));
        }
        rollback.add(notify("rollback-notify"));
        return plan(service, version, Strategy.BLUE_GREEN, steps, rollback);
    }

    DeploymentPlan canary(String service, String version) {
        List<PlanStep> steps = staging(version);
        steps.add(deploy("deploy-canary", Environment.PRODUCTION, "prod-1", version));
        for (int weight : List.of(5, 25, 50, 100)) {
            steps.add(traffic("canary-" + weight, "prod-1", weight));
            steps.add(health("bake-" + weight, Environment.PRODUCTION));
        }
        steps.add(deploy("promote-prod-2", Environment.PRODUCTION, "prod-2", version));
        return plan(service, version, Strategy.CANARY, steps, List.of(undoing(traffic("rollback-canary-0", "prod-1", 0), "canary-5", "canary-25",
                "canary-50", "canary-100"), undeploy("prod-2", "promote-prod-2"), undeploy("prod-1", "deploy-canary"),
                smoke("rollback-verify-health", Environment.PRODUCTION, "prod-1", "/health", 200), notify("rollback-notify")));
    }

    DeploymentPlan featureFlag(String service, String version, String flag) {
        List<PlanStep> steps = staging(version);
        steps.add(deploy("deploy-dark-prod-1", Environment.PRODUCTION, "prod-1", version));
        steps.add(flag("flag-" + flag + "-off", flag, 0, false));
        steps.add(flag("flag-" + flag + "-internal", flag, 0, true));
        steps.add(health("flag-" + flag + "-internal-watch", Environment.PRODUCTION));
        List<String> on = new ArrayList<>(List.of("flag-" + flag + "-internal"));
        for (int percent : List.of(1, 25, 100)) {
            steps.add(flag("flag-" + flag + "-" + percent, flag, percent, false));
            steps.add(health("flag-" + flag + "-" + percent + "-watch", Environment.PRODUCTION));
            on.add("flag-" + flag + "-" + percent);
        }
        return plan(service, version, Strategy.FEATURE_FLAG, steps, List.of(undoing(flag("rollback-flag-" + flag, flag, 0, false),
                on.toArray(String[]::new)), undeploy("prod-1", "deploy-dark-prod-1"), notify("rollback-notify")));
    }
}
