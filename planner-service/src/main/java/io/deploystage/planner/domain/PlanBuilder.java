package io.deploystage.planner.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.deploystage.platform.domain.DeploymentCalendar;

/**
 * Steps 2 to 5 and 7 of the spec as a pure function: staging first (deploy, smoke tests, performance against the
 * baseline, log scan, migration check), then production by the chosen strategy, the health checks with their
 * thresholds, and the rollback triggers, procedure, time and constraints. Commands come only from the descriptor,
 * rendered with validated values.
 */
public final class PlanBuilder {

    static final int MAX_FLAGS = 20;
    static final int MAX_FLAG_KEY = 64;
    public static final List<Integer> CANARY_WEIGHTS = List.of(5, 25, 50, 100);
    public static final List<Integer> FLAG_STAGES = List.of(1, 5, 25, 100);
    /** The blue/green colours; the first is live until a deployment switches traffic to the other. */
    public static final List<String> COLOURS = List.of("blue", "green");
    static final String BAKE = "10m";
    static final String POST_DEPLOY_WINDOW = "15m";

    private PlanBuilder() {
    }

    /** The release facts the plan needs; version and commit come from event text and are validated here. */
    public record Release(String releaseId, String service, String version, String commit, String requestedBy, ChangeProfile profile,
            int gateWarnings) {
    }

    /** A plan with no deployment calendar: production may be changed as soon as staging passes. */
    public static Plan build(Release release, DeployDescriptor descriptor, Instant now) {
        return build(release, descriptor, DeploymentCalendar.always(), now);
    }

    /**
     * The plan for a release at {@code now}; its deployment window is the calendar's first opening (a hotfix in a freeze:
     * now, since a senior approval naming its incident lets it through).
     *
     * @throws IllegalArgumentException saying which value may not be put into a command
     */
    public static Plan build(Release release, DeployDescriptor descriptor, DeploymentCalendar calendar, Instant now) {
        CommandTemplate.requireSafe("version", release.version());
        CommandTemplate.requireSafe("commit", release.commit());
        release.profile().featureFlags().forEach(f -> CommandTemplate.requireSafe("feature flag", f));
        // a flag key names steps (flag-<key>-internal-watch) that must fit the executor's 200-character step ids, and the
        // rationale names every flag: the gate's API refuses the same with a 400
        if (release.profile().featureFlags().size() > MAX_FLAGS || release.profile().featureFlags().stream().anyMatch(f -> f.length() > MAX_FLAG_KEY)) {
            throw new IllegalArgumentException("at most " + MAX_FLAGS + " feature flags of at most " + MAX_FLAG_KEY + " characters each");
        }
        RiskAssessment risk = RiskAssessment.assess(release.profile(), release.gateWarnings());
        StrategyChoice choice = StrategyChoice.choose(release.profile(), risk);
        EnvironmentSpec staging = descriptor.of(Environment.STAGING);
        EnvironmentSpec production = descriptor.of(Environment.PRODUCTION);
        Renderer r = new Renderer(release);
        ChangeProfile profile = release.profile();

        List<PlanStep> steps = new ArrayList<>();
        // Step 2: always deploy to staging before production; if staging fails, stop.
        if (profile.hasMigration()) {
            steps.add(command("staging-migrate", Environment.STAGING, "Run the database migration in staging", staging.migrate(), r.render(staging.migrate(),
                    Environment.STAGING, null, null, null), "Migration completed without errors"));
        }
        steps.addAll(deployEach("staging-deploy", Environment.STAGING, staging, r, "Deploy " + release.version() + " to staging", new ArrayList<>()));
        steps.addAll(smoke("staging-smoke", Environment.STAGING, staging));
        steps.add(health("staging-performance", Environment.STAGING, "Compare staging performance with the baseline",
                "latency p95 and error rate not degraded against the baseline", "window=" + BAKE, "checks=LATENCY_P95,ERROR_RATE"));
        steps.add(health("staging-log-scan", Environment.STAGING, "Scan staging logs for new ERROR and WARN lines",
                "no unexpected errors in the logs", "window=" + BAKE, "checks=NEW_LOG_ERRORS,NEW_LOG_WARNINGS"));
        if (profile.hasMigration() && staging.migrateRollback() != null && profile.dbMigration() != DbMigration.DESTRUCTIVE) {
            steps.add(command("staging-migration-down", Environment.STAGING, "Check the migration is reversible: roll it back in staging",
                    staging.migrateRollback(), r.render(staging.migrateRollback(), Environment.STAGING, null, null, null), "Schema at the previous state"));
            steps.add(command("staging-migration-up", Environment.STAGING, "Re-apply the migration in staging",
                    staging.migrate(), r.render(staging.migrate(), Environment.STAGING, null, null, null), "Migration completed again without errors"));
        }

        // Step 6, production by the strategy of Step 3.
        if (choice.seniorApproval()) {
            steps.add(new PlanStep("senior-approval", Environment.PRODUCTION, StepKind.APPROVAL,
                    "Senior engineer approves the production deploy (hotfix " + profile.incidentId() + ")",
                    List.of(release.releaseId(), "--step", "senior-approval"), "Approved by a senior engineer other than the requester", null)
                    .approvedBy("senior"));
        }
        steps.add(new PlanStep("tag-release", Environment.PRODUCTION, StepKind.GIT_TAG, "Tag the release commit",
                List.of("git", "tag", "v" + release.version(), release.commit()), "Tag v" + release.version() + " exists", null));
        if (profile.hasMigration()) {
            steps.add(command("production-migrate", Environment.PRODUCTION, "Run the database migration in production",
                    production.migrate(), r.render(production.migrate(), Environment.PRODUCTION, null, null, null), "Migration completed without errors"));
        }
        List<Integer> flagStages = List.of();
        // the forward steps that put this release on each production instance, in the order they run
        List<Map.Entry<String, String>> deploys = new ArrayList<>();
        switch (choice.strategy()) {
            case DIRECT -> steps.addAll(deployEach("production-deploy", Environment.PRODUCTION, production, r,
                    "Replace all instances with " + release.version(), deploys));
            case ROLLING -> {
                for (String instance : production.instances()) {
                    steps.add(command("deploy-" + instance, Environment.PRODUCTION, "Drain and update " + instance + " to " + release.version(),
                            production.deploy(), r.render(production.deploy(), Environment.PRODUCTION, instance, null, null), instance + " runs "
                                    + release.version()).onInstance(instance));
                    deploys.add(Map.entry(instance, "deploy-" + instance));
                    steps.add(health("verify-" + instance, Environment.PRODUCTION, "Confirm " + instance + " is healthy before the next",
                            instance + " healthy", "instance=" + instance, "window=2m"));
                }
            }
            case BLUE_GREEN -> {
                // Which colour is live is known only when the deployment starts: the plan holds the steps for either idle
                // colour, and the executor runs those of the colour that is idle then.
                for (String idle : COLOURS) {
                    String live = otherColour(idle);
                    steps.add(command("deploy-" + idle, Environment.PRODUCTION, "Deploy " + release.version() + " to the idle colour " + idle
                            + " (when " + live + " is live)", production.deploy(), r.render(production.deploy(), Environment.PRODUCTION, idle, null, null),
                            idle + " runs " + release.version()).onInstance(idle).forColour(idle));
                    confirmVersion(production, idle, release.version()).ifPresent(s -> steps.add(s.forColour(idle)));
                    smoke("verify-" + idle, Environment.PRODUCTION, production).forEach(s -> steps.add(s.forColour(idle)));
                    steps.add(traffic("switch-to-" + idle, "Switch traffic to " + idle, idle, r.render(production.trafficSwitch(), Environment.PRODUCTION,
                            idle, 100, null), idle + " serves 100% of traffic", 100).forColour(idle));
                    steps.add(health("keep-" + live + "-warm", Environment.PRODUCTION, "Keep " + live + " warm and watch " + idle,
                            idle + " healthy; " + live + " ready to take traffic back", "window=" + POST_DEPLOY_WINDOW, "checks=ERROR_RATE,LATENCY_P95")
                            .forColour(idle));
                }
            }
            case CANARY -> {
                String canary = production.instances().get(0);
                steps.add(command("deploy-canary", Environment.PRODUCTION, "Deploy " + release.version() + " to the canary " + canary,
                        production.deploy(), r.render(production.deploy(), Environment.PRODUCTION, canary, null, null), canary + " runs "
                                + release.version()).onInstance(canary));
                deploys.add(Map.entry(canary, "deploy-canary"));
                for (int weight : CANARY_WEIGHTS) {
                    steps.add(traffic("canary-" + weight, "Route " + weight + "% of traffic to the canary", canary,
                            r.render(production.trafficSwitch(), Environment.PRODUCTION, canary, weight, null), weight + "% of traffic on "
                                    + release.version(), weight));
                    steps.add(health("bake-" + weight, Environment.PRODUCTION, "Bake at " + weight + "% and compare canary with stable",
                            "canary not worse than stable", "window=" + BAKE, "cohorts=canary,stable"));
                }
                for (String instance : production.instances().subList(1, production.instances().size())) {
                    steps.add(command("promote-" + instance, Environment.PRODUCTION, "Promote " + instance + " to " + release.version(),
                            production.deploy(), r.render(production.deploy(), Environment.PRODUCTION, instance, null, null), instance + " runs "
                                    + release.version()).onInstance(instance));
                    deploys.add(Map.entry(instance, "promote-" + instance));
                }
            }
            case FEATURE_FLAG -> {
                flagStages = FLAG_STAGES;
                steps.addAll(deployEach("deploy-dark", Environment.PRODUCTION, production, r,
                        "Deploy " + release.version() + " dark (flags off)", deploys));
                for (String flag : profile.featureFlags()) {
                    steps.add(flagStep("flag-" + flag + "-off", "Confirm " + flag + " is off by default",
                            flagArgv(production, r, "0", flag), flag + " off for everyone", 0, flag, false));
                    steps.add(flagStep("flag-" + flag + "-internal", "Enable " + flag + " for internal users",
                            flagArgv(production, r, "internal", flag), flag + " on for internal users only", 0, flag, true));
                    steps.add(health("flag-" + flag + "-internal-watch", Environment.PRODUCTION, "Monitor internal users for 1h",
                            "no degradation for internal users", "window=1h", "flag=" + flag));
                    for (int percent : FLAG_STAGES) {
                        steps.add(flagStep("flag-" + flag + "-" + percent, "Enable " + flag + " for " + percent + "% of users",
                                flagArgv(production, r, Integer.toString(percent), flag), flag + " on for " + percent + "%", percent, flag, false));
                        steps.add(health("flag-" + flag + "-" + percent + "-watch", Environment.PRODUCTION, "Monitor at " + percent + "%",
                                "no degradation at " + percent + "%", "window=" + BAKE, "flag=" + flag));
                    }
                }
            }
        }
        // Confirm all instances updated: each instance the release reached is asked which version it runs.
        deploys.stream().map(Map.Entry::getKey).distinct().forEach(instance -> confirmVersion(production, instance, release.version())
                .ifPresent(steps::add));
        steps.addAll(smoke("production-smoke", Environment.PRODUCTION, production));
        steps.add(health("post-deploy-health", Environment.PRODUCTION, "Post-deploy health check against the 15-minute baseline",
                "error rate, p50/p95/p99 latency, throughput, business metric and logs within thresholds",
                "window=" + POST_DEPLOY_WINDOW, "baseline=15m"));

        Thresholds t = production.thresholds();
        List<HealthCheck> checks = new ArrayList<>(List.of(
                new HealthCheck(MetricKind.ERROR_RATE, t.errorRatePercent(), t.maxRelativeDegradation(), null, false, t.minSamples()),
                new HealthCheck(MetricKind.LATENCY_P95, t.p95LatencyMs(), t.maxRelativeDegradation(), null, false, t.minSamples()),
                new HealthCheck(MetricKind.THROUGHPUT, 0, t.maxRelativeDegradation(), null, true, t.minSamples()),
                // log lines are judged on the window's traffic like the rest: one ERROR line in the first 3 requests is not yet evidence
                new HealthCheck(MetricKind.NEW_LOG_ERRORS, 0, null, null, false, t.minSamples()),
                new HealthCheck(MetricKind.NEW_LOG_WARNINGS, t.newWarnLines(), t.maxRelativeDegradation(), null, false, t.minSamples())));
        List<String> triggers = new ArrayList<>(List.of(
                "Error rate exceeds " + number(t.errorRatePercent()) + "%",
                "P95 latency exceeds " + number(t.p95LatencyMs()) + "ms"));
        // P50 and P99 are judged when the descriptor gives their thresholds
        if (t.p50LatencyMs() != null) {
            checks.add(1, new HealthCheck(MetricKind.LATENCY_P50, t.p50LatencyMs(), t.maxRelativeDegradation(), null, false, t.minSamples()));
            triggers.add("P50 latency exceeds " + number(t.p50LatencyMs()) + "ms");
        }
        if (t.p99LatencyMs() != null) {
            checks.add(checks.indexOf(checks.stream().filter(c -> c.metric() == MetricKind.LATENCY_P95).findFirst().orElseThrow()) + 1,
                    new HealthCheck(MetricKind.LATENCY_P99, t.p99LatencyMs(), t.maxRelativeDegradation(), null, false, t.minSamples()));
            triggers.add("P99 latency exceeds " + number(t.p99LatencyMs()) + "ms");
        }
        if (t.businessMetric() != null) {
            checks.add(new HealthCheck(MetricKind.BUSINESS_METRIC, t.businessMetricDropPercent(), t.businessMetricDropPercent() / 100,
                    t.businessMetric(), true, t.minSamples()));
            triggers.add(t.businessMetric() + " drops by " + number(t.businessMetricDropPercent()) + "%");
        }
        triggers.add("Any data loss or data corruption detected");
        triggers.add("Any security incident triggered");

        List<PlanStep> rollback = rollbackProcedure(release, steps, deploys, production, r, descriptor.teamChannel());
        List<String> constraints = constraints(profile, production);
        int revert = switch (choice.strategy()) {
            case FEATURE_FLAG, BLUE_GREEN -> 1;
            case CANARY -> 2;
            case ROLLING -> 2 * production.instances().size();
            case DIRECT -> 5;
        };
        int full = revert + (profile.hasMigration() ? 15 : 0);
        boolean held = profile.unrollable();
        String reviewer = descriptor.owners().stream().filter(o -> !o.equalsIgnoreCase(release.requestedBy())).findFirst()
                .orElse(descriptor.escalationContact());
        DeploymentCalendar.HotfixPass pass = profile.hotfix() ? new DeploymentCalendar.HotfixPass(profile.incidentId(), profile.incidentId()) : null;
        Instant window = calendar.admit(now, pass) instanceof DeploymentCalendar.Open ? now : calendar.nextOpen(now);
        if (!calendar.windows().isEmpty() || !calendar.freezes().isEmpty()) {
            constraints.add(calendarConstraint(calendar, now, profile));
        }
        return new Plan(release.releaseId(), release.service(), release.version(), release.commit(), window, release.requestedBy(), reviewer,
                risk, choice, steps, checks, triggers, rollback, constraints, flagStages, revert, full, held, descriptor.escalationContact(),
                descriptor.teamChannel(), profile.userFacing(), profile.hasMigration(), metricQueries(descriptor), calendar, profile.incidentId());
    }

    /** The deployment calendar in the rollback plan's Known Constraints: when production may change, and the freezes ahead. */
    private static String calendarConstraint(DeploymentCalendar calendar, Instant now, ChangeProfile profile) {
        StringBuilder text = new StringBuilder("Deployment calendar: production changes start only inside ").append(calendar.windowsText());
        calendar.freezes().stream().filter(f -> f.until().isAfter(now)).forEach(f -> text.append("; freeze ").append(calendar.local(f.from()))
                .append(" – ").append(calendar.local(f.until())).append(": ").append(f.reason()));
        text.append(". The executor holds production (WAITING_FOR_WINDOW) until the window opens; a rollback is never held.");
        if (profile.hotfix()) {
            text.append(" Hotfix ").append(profile.incidentId()).append(": goes out in a freeze once a senior approval names the incident.");
        }
        return text.toString();
    }

    /** The descriptor's metric queries per environment, for the monitor's pull sources. */
    private static Map<Environment, Map<String, String>> metricQueries(DeployDescriptor descriptor) {
        Map<Environment, Map<String, String>> queries = new java.util.EnumMap<>(Environment.class);
        descriptor.environments().forEach((environment, spec) -> {
            if (!spec.metricQueries().isEmpty()) {
                queries.put(environment, spec.metricQueries());
            }
        });
        return queries;
    }

    /**
     * The rollback procedure for the worst case, in the order it runs: flags that were switched on go off (kill switch),
     * traffic goes back to stable, every instance the release reached goes back to the previous version (the last one
     * reached first), a reversible migration goes down, then the smoke checks and the team's notification. Each undoing
     * step names the forward steps it reverses, so the executor runs only what undoes something that ran.
     */
    private static List<PlanStep> rollbackProcedure(Release release, List<PlanStep> forward, List<Map.Entry<String, String>> deploys,
            EnvironmentSpec production, Renderer r, String channel) {
        List<PlanStep> steps = new ArrayList<>();
        for (String flag : release.profile().featureFlags()) {
            List<String> switchedOn = forward.stream().filter(s -> flag.equals(s.flagKey()) && (s.flagInternal() || s.trafficPercent() != null
                    && s.trafficPercent() > 0)).map(PlanStep::id).toList();
            if (!switchedOn.isEmpty()) {
                steps.add(flagStep("rollback-flag-" + flag, "Stop traffic to new version: turn " + flag + " off (kill switch)",
                        flagArgv(production, r, "0", flag), "Old version serving traffic", 0, flag, false).undoing(switchedOn));
            }
        }
        List<String> canaryWeights = forward.stream().filter(s -> s.kind() == StepKind.TRAFFIC && s.colour() == null).map(PlanStep::id).toList();
        if (!canaryWeights.isEmpty()) {
            String canary = forward.stream().filter(s -> s.kind() == StepKind.TRAFFIC && s.colour() == null).findFirst().orElseThrow().trafficTarget();
            steps.add(traffic("rollback-canary-0", "Stop traffic to new version: reduce the canary to 0%", canary,
                    r.render(production.trafficSwitch(), Environment.PRODUCTION, canary, 0, null), "Stable serves all traffic", 0).undoing(canaryWeights));
        }
        for (String idle : COLOURS) {
            if (forward.stream().anyMatch(s -> s.id().equals("switch-to-" + idle))) {
                String live = otherColour(idle);
                steps.add(traffic("rollback-switch-to-" + live, "Stop traffic to new version: switch traffic back to " + live, live,
                        r.render(production.trafficSwitch(), Environment.PRODUCTION, live, 100, null), live + " (the previous version) serves 100% of"
                                + " traffic; " + idle + " keeps the new version idle", 100).forColour(live).undoing(List.of("switch-to-" + idle)));
            }
        }
        boolean perInstance = production.rollback().argv().stream().anyMatch(a -> a.contains("{instance}"));
        if (!deploys.isEmpty() && !perInstance) {
            steps.add(command("rollback-production", Environment.PRODUCTION, "Redeploy the previous version on every instance", production.rollback(),
                    r.render(production.rollback(), Environment.PRODUCTION, null, null, null), "Every instance runs the previous version")
                    .undoing(deploys.stream().map(Map.Entry::getValue).distinct().toList()));
        } else {
            for (int i = deploys.size() - 1; i >= 0; i--) {
                String instance = deploys.get(i).getKey();
                steps.add(command("rollback-" + instance, Environment.PRODUCTION, "Stop traffic to new version on " + instance
                        + ": drain it and redeploy the previous version",
                        production.rollback(), r.render(production.rollback(), Environment.PRODUCTION, instance, null, null), instance
                                + " runs the previous version").onInstance(instance).undoing(List.of(deploys.get(i).getValue())));
            }
        }
        if (release.profile().hasMigration() && production.migrateRollback() != null && release.profile().dbMigration() != DbMigration.DESTRUCTIVE) {
            steps.add(command("rollback-migration", Environment.PRODUCTION, "Roll back database migration",
                    production.migrateRollback(), r.render(production.migrateRollback(), Environment.PRODUCTION, null, null, null), "Schema at previous state")
                    .undoing(List.of("production-migrate")));
        }
        for (SmokeCheck check : production.smokeChecks()) {
            steps.add(new PlanStep("rollback-verify-" + check.name(), Environment.PRODUCTION, StepKind.HTTP_CHECK,
                    "Verify old version is responding: " + check.name(), smokeArgv(check), "Smoke tests pass", null));
        }
        steps.add(new PlanStep("rollback-notify", Environment.PRODUCTION, StepKind.NOTIFY,
                "Notify team of rollback", List.of(channel == null ? "team channel" : channel), "Team aware", null));
        return steps;
    }

    static String otherColour(String colour) {
        return COLOURS.get(0).equals(colour) ? COLOURS.get(1) : COLOURS.get(0);
    }

    private static List<String> constraints(ChangeProfile profile, EnvironmentSpec production) {
        List<String> constraints = new ArrayList<>();
        switch (profile.dbMigration()) {
            case DESTRUCTIVE -> constraints.add("Destructive DB migration: cannot be rolled back without data loss. This is a blocker: the plan"
                    + " is held until the team lead releases it.");
            case ADDITIVE -> constraints.add("Additive DB migration: usually safe to leave in place even if the feature is rolled back"
                    + (production.migrateRollback() == null ? "; no down-migration is registered, so the schema stays." : "."));
            case NONE -> {
            }
        }
        if (profile.infrastructureChanges()) {
            constraints.add("Infrastructure changes: rolling back the application does not revert them; they were verified in staging.");
        }
        if (profile.externalApiChange()) {
            constraints.add("External API change visible to partners: partners may adopt it before a rollback, and a rollback cannot hide it"
                    + " again from those who did. This is escalated: the plan is held until the team lead releases it.");
        }
        if (profile.sendsNotifications()) {
            constraints.add("Sends notifications/emails to users: those sent cannot be unsent by a rollback. This is escalated: the plan is"
                    + " held until the team lead releases it.");
        }
        if (constraints.isEmpty()) {
            constraints.add("None identified: code-only change, fully reversible by redeploying the previous version.");
        }
        return constraints;
    }

    /** One step per instance when the command names {@code {instance}}, else one for all; {@code reached} collects instance and step. */
    private static List<PlanStep> deployEach(String id, Environment environment, EnvironmentSpec spec, Renderer r, String action,
            List<Map.Entry<String, String>> reached) {
        if (!spec.deploy().argv().stream().anyMatch(a -> a.contains("{instance}"))) {
            spec.instances().forEach(instance -> reached.add(Map.entry(instance, id)));
            return List.of(command(id, environment, action, spec.deploy(), r.render(spec.deploy(), environment, null, null, null),
                    "All instances in " + environment.label() + " updated"));
        }
        List<PlanStep> steps = new ArrayList<>();
        for (String instance : spec.instances()) {
            steps.add(command(id + "-" + instance, environment, action + " on " + instance, spec.deploy(), r.render(spec.deploy(), environment, instance, null, null),
                    instance + " updated").onInstance(instance));
            reached.add(Map.entry(instance, id + "-" + instance));
        }
        return steps;
    }

    /** A check that {@code instance} answers with {@code version}, when the descriptor says where it tells its version. */
    private static java.util.Optional<PlanStep> confirmVersion(EnvironmentSpec spec, String instance, String version) {
        String url = spec.versionUrls().get(instance);
        return url == null ? java.util.Optional.empty() : java.util.Optional.of(new PlanStep("confirm-" + instance + "-version", Environment.PRODUCTION,
                StepKind.HTTP_CHECK, "Confirm " + instance + " runs " + version, List.of("GET", url, "200", version), instance + " reports "
                        + version, null).onInstance(instance));
    }

    private static List<PlanStep> smoke(String prefix, Environment environment, EnvironmentSpec spec) {
        return spec.smokeChecks().stream().map(check -> new PlanStep(prefix + "-" + check.name(), environment, StepKind.HTTP_CHECK,
                "Smoke test: " + check.name(), smokeArgv(check), "Smoke test passes", null)).toList();
    }

    /** Method, URL, expected status, and the text the body must contain when the check names one. */
    private static List<String> smokeArgv(SmokeCheck check) {
        List<String> argv = new ArrayList<>(List.of(check.method(), check.url(), Integer.toString(check.expectStatus())));
        if (check.expectBodyContains() != null) {
            argv.add(check.expectBodyContains());
        }
        return argv;
    }

    private static PlanStep command(String id, Environment environment, String action, CommandTemplate template, List<String> argv,
            String expected) {
        return new PlanStep(id, environment, StepKind.COMMAND, action, argv, expected, null, template.rerunSafe(), null, false, null);
    }

    private static PlanStep health(String id, Environment environment, String action, String expected, String... parameters) {
        return new PlanStep(id, environment, StepKind.WAIT_FOR_HEALTH, action, List.of(parameters), expected, null);
    }

    private static PlanStep traffic(String id, String action, String target, List<String> argv, String expected, int weight) {
        return new PlanStep(id, Environment.PRODUCTION, StepKind.TRAFFIC, action, argv, expected, weight, true, null, false, target);
    }

    private static PlanStep flagStep(String id, String action, List<String> argv, String expected, int percent, String flag, boolean internal) {
        return new PlanStep(id, Environment.PRODUCTION, StepKind.FLAG, action, argv, expected, percent, true, flag, internal, null);
    }

    /**
     * The command that sets a flag: the descriptor's flagSet when it has one, else the executor's built-in flag store
     * (shown as a {@code deploy-stage flag set} line).
     */
    private static List<String> flagArgv(EnvironmentSpec production, Renderer r, String rollout, String flag) {
        if (production.flagSet() == null) {
            return List.of("deploy-stage", "flag", "set", flag, "--rollout", rollout);
        }
        return r.render(production.flagSet(), Environment.PRODUCTION, null, null, flag, rollout);
    }

    static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2f", value).replaceAll("0+$", "");
    }

    /** Renders descriptor templates with the validated values of this release. */
    private record Renderer(Release release) {

        List<String> render(CommandTemplate template, Environment environment, String instance, Integer weight, String flag) {
            return render(template, environment, instance, weight, flag, null);
        }

        List<String> render(CommandTemplate template, Environment environment, String instance, Integer weight, String flag, String audience) {
            if (template == null) {
                throw new IllegalArgumentException("the deploy descriptor has no command for this step in " + environment.label());
            }
            Map<String, String> values = new HashMap<>();
            values.put("version", release.version());
            values.put("commit", release.commit());
            values.put("environment", environment.label());
            if (instance != null) {
                values.put("instance", instance);
            }
            if (weight != null) {
                values.put("weight", weight.toString());
            }
            if (audience != null) {
                values.put("weight", audience);
            }
            if (flag != null) {
                values.put("flag", flag);
            }
            return template.render(values);
        }
    }
}
