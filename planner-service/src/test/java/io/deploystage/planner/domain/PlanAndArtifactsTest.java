package io.deploystage.planner.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TableCell;
import org.commonmark.ext.gfm.tables.TableHead;
import org.commonmark.ext.gfm.tables.TableRow;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.CustomBlock;
import org.commonmark.node.Heading;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.deploystage.planner.messaging.PlanEvents;

/**
 * Both artifacts for each strategy: compared with golden files (refresh with -Dgolden.update=true and review the
 * diff), and parsed with CommonMark to check the spec's headings and tables.
 */
class PlanAndArtifactsTest {

    static final Path GOLDEN = Path.of("src/test/resources/golden");
    static final Parser MARKDOWN = Parser.builder().extensions(List.of(TablesExtension.create())).build();

    static Plan plan(Strategy strategy) {
        Plan plan = PlanBuilder.build(Fixtures.releaseFor(strategy), Fixtures.descriptor(), Fixtures.WINDOW);
        assertEquals(strategy, plan.strategy());
        return plan;
    }

    /** The plan's event, which carries both artifacts rendered from it. */
    static io.deploystage.events.DeploymentPlan artifacts(Plan plan) {
        return io.deploystage.planner.messaging.PlanEvents.event(java.util.UUID.randomUUID(), java.util.UUID.randomUUID(), plan);
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void artifactsMatchTheGoldenFiles(Strategy strategy) throws IOException {
        Plan plan = plan(strategy);
        golden(strategy.label() + "-deployment-checklist.md", artifacts(plan).getDeploymentChecklist());
        golden(strategy.label() + "-rollback-plan.md", artifacts(plan).getRollbackPlan());
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void deploymentChecklistHasTheSpecsHeadingsAndTables(Strategy strategy) {
        Plan plan = plan(strategy);
        Node doc = MARKDOWN.parse(artifacts(plan).getDeploymentChecklist());
        assertEquals(List.of("1:Deployment Checklist: checkout 1.4.0", "2:Deployment Info", "2:Pre-Deploy Verification", "2:Deploy Steps",
                "2:Post-Deploy Verification", "2:Stabilization (first 24h)", "2:Outcome"), headings(doc));
        List<List<List<String>>> tables = tables(doc);
        assertEquals(2, tables.size());
        assertEquals(List.of("#", "Action", "Command", "Status"), tables.get(0).get(0));
        assertEquals(plan.steps().size() + 1, tables.get(0).size(), "one row per step");
        for (int i = 1; i < tables.get(0).size(); i++) {
            List<String> row = tables.get(0).get(i);
            assertEquals(Integer.toString(i), row.get(0));
            assertFalse(row.get(2).isBlank(), "every step has its exact command: " + row);
            assertEquals("[ ]", row.get(3));
        }
        assertEquals(List.of("Check", "Metric", "Threshold", "Result"), tables.get(1).get(0));
        assertTrue(tables.get(1).stream().anyMatch(r -> r.get(0).equals("Error rate") && r.get(2).startsWith("<1%")), tables.get(1).toString());
        assertTrue(tables.get(1).stream().anyMatch(r -> r.get(0).equals("P95 latency") && r.get(2).startsWith("<300ms")));
        assertTrue(tables.get(1).stream().anyMatch(r -> r.equals(List.of("Smoke tests", "PASS/FAIL", "PASS", "[ ]"))));
        assertNoSpecPlaceholderLeft(artifacts(plan).getDeploymentChecklist());
        int firstProduction = indexOf(plan.steps(), Environment.PRODUCTION);
        assertTrue(plan.steps().subList(0, firstProduction).stream().allMatch(s -> s.environment() == Environment.STAGING)
                && plan.steps().subList(firstProduction, plan.steps().size()).stream().allMatch(s -> s.environment() == Environment.PRODUCTION),
                "staging first, always");
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void rollbackPlanHasTheSpecsHeadingsTableAndTriggers(Strategy strategy) {
        Plan plan = plan(strategy);
        String markdown = artifacts(plan).getRollbackPlan();
        Node doc = MARKDOWN.parse(markdown);
        assertEquals(List.of("1:Rollback Plan: checkout 1.4.0", "2:Rollback Triggers", "2:Rollback Procedure", "2:Estimated Rollback Time",
                "2:Known Constraints", "2:Escalation"), headings(doc));
        List<List<List<String>>> tables = tables(doc);
        assertEquals(1, tables.size());
        assertEquals(List.of("Step", "Action", "Command", "Expected Result"), tables.get(0).get(0));
        assertTrue(tables.get(0).get(1).get(1).startsWith("Stop traffic to new version"), tables.get(0).get(1).toString());
        assertTrue(tables.get(0).get(1).get(3).matches("Old version serving traffic|Stable serves all traffic|.* runs the previous version"
                + "|green \\(the previous version\\) serves 100% of traffic.*"), tables.get(0).get(1).get(3));
        assertTrue(tables.get(0).stream().anyMatch(r -> r.get(3).equals("Smoke tests pass")));
        assertTrue(tables.get(0).stream().anyMatch(r -> r.get(1).equals("Notify team of rollback") && r.get(3).equals("Team aware")));
        assertTrue(markdown.contains("- Error rate exceeds 1%\n- P95 latency exceeds 300ms\n- orders\\_per\\_minute drops by 20%\n"), markdown);
        assertTrue(markdown.matches("(?s).*\\d+ minutes? to revert traffic\\. \\d+ minutes? for full rollback including DB if needed\\..*"));
        assertTrue(markdown.contains("contact dana (team lead) (#checkout-oncall) immediately."), markdown);
        assertNoSpecPlaceholderLeft(markdown);
    }

    /** The worst-case procedure, in the order it runs, and what each undoing step reverses (the executor skips the rest). */
    @ParameterizedTest
    @EnumSource(Strategy.class)
    void theRollbackProcedureUndoesEveryForwardChangeInReverse(Strategy strategy) {
        Plan plan = plan(strategy);
        List<String> procedure = plan.rollbackProcedure().stream().map(s -> s.id() + (s.undoes().isEmpty() ? "" : " <- " + String.join(",",
                s.undoes()))).toList();
        List<String> tail = List.of("rollback-migration <- production-migrate", "rollback-verify-health", "rollback-verify-cart", "rollback-notify");
        List<String> head = switch (strategy) {
            case DIRECT -> List.of("rollback-p3 <- production-deploy-p3", "rollback-p2 <- production-deploy-p2", "rollback-p1 <- production-deploy-p1");
            case ROLLING -> List.of("rollback-p3 <- deploy-p3", "rollback-p2 <- deploy-p2", "rollback-p1 <- deploy-p1");
            case BLUE_GREEN -> List.of("rollback-switch-to-green <- switch-to-blue", "rollback-switch-to-blue <- switch-to-green");
            case CANARY -> List.of("rollback-canary-0 <- canary-5,canary-25,canary-50,canary-100", "rollback-p3 <- promote-p3",
                    "rollback-p2 <- promote-p2", "rollback-p1 <- deploy-canary");
            case FEATURE_FLAG -> List.of("rollback-flag-new-checkout-flow <- flag-new-checkout-flow-internal,flag-new-checkout-flow-1,flag-new-checkout-flow-5,"
                    + "flag-new-checkout-flow-25,flag-new-checkout-flow-100", "rollback-p3 <- deploy-dark-p3", "rollback-p2 <- deploy-dark-p2",
                    "rollback-p1 <- deploy-dark-p1");
        };
        List<String> expected = new java.util.ArrayList<>(head);
        expected.addAll(plan.migration() ? tail : tail.subList(1, 4));
        assertEquals(expected, procedure);
        // every undone step exists in the plan, and every production deploy is undone by some step (but the idle colour's:
        // once traffic is back on the live colour, the idle one takes none)
        List<String> forward = plan.steps().stream().map(PlanStep::id).toList();
        plan.rollbackProcedure().forEach(s -> assertTrue(forward.containsAll(s.undoes()), s.id() + " undoes " + s.undoes()));
        plan.steps().stream().filter(s -> s.environment() == Environment.PRODUCTION && s.kind() == StepKind.COMMAND && s.instance() != null
                && s.colour() == null).forEach(s -> assertTrue(
                plan.rollbackProcedure().stream().anyMatch(r -> r.undoes().contains(s.id())), s.id() + " is undone"));
    }

    @Test
    void p50AndP99AreJudgedWhenTheDescriptorGivesTheirThresholdsAndWarnLinesAlways() {
        DeployDescriptor base = Fixtures.descriptor();
        EnvironmentSpec p = base.of(Environment.PRODUCTION);
        Thresholds t = new Thresholds(1.0, 300, null, 20, 0.5, 50, 120.0, 800.0, 3);
        DeployDescriptor withPercentiles = new DeployDescriptor("checkout", Map.of(Environment.STAGING, base.of(Environment.STAGING),
                Environment.PRODUCTION, new EnvironmentSpec(p.deploy(), p.rollback(), p.migrate(), p.migrateRollback(), p.trafficSwitch(), p.flagSet(),
                        p.smokeChecks(), p.instances(), p.metricQueries(), p.flags(), t, p.versionUrls())), List.of("dana"), "dana", "#checkout");
        Plan plan = PlanBuilder.build(Fixtures.releaseFor(Strategy.ROLLING), withPercentiles, Fixtures.WINDOW);
        assertEquals(List.of(MetricKind.ERROR_RATE, MetricKind.LATENCY_P50, MetricKind.LATENCY_P95, MetricKind.LATENCY_P99, MetricKind.THROUGHPUT,
                MetricKind.NEW_LOG_ERRORS, MetricKind.NEW_LOG_WARNINGS), plan.healthChecks().stream().map(HealthCheck::metric).toList());
        assertEquals(120.0, plan.healthChecks().get(1).threshold());
        assertEquals(800.0, plan.healthChecks().get(3).threshold());
        assertEquals(3.0, plan.healthChecks().get(6).threshold(), "new WARN lines allowed beyond the baseline's rate");
        assertTrue(plan.rollbackTriggers().containsAll(List.of("P50 latency exceeds 120ms", "P99 latency exceeds 800ms")), plan.rollbackTriggers().toString());
        assertEquals(List.of(MetricKind.ERROR_RATE, MetricKind.LATENCY_P95, MetricKind.THROUGHPUT, MetricKind.NEW_LOG_ERRORS,
                MetricKind.NEW_LOG_WARNINGS, MetricKind.BUSINESS_METRIC), plan(Strategy.ROLLING).healthChecks().stream().map(HealthCheck::metric).toList(),
                "without them, P95 only");
    }

    @Test
    void thresholdOverridesReplaceTheDescriptorsDefaultsInChecksAndTriggers() {
        DeployDescriptor overridden = Fixtures.descriptor().withOverride(new ThresholdOverride(0.5, null, null, null, null, 200));
        Plan plan = PlanBuilder.build(Fixtures.releaseFor(Strategy.ROLLING), overridden, Fixtures.WINDOW);
        assertEquals("Error rate exceeds 0.5%", plan.rollbackTriggers().get(0));
        assertEquals("P95 latency exceeds 300ms", plan.rollbackTriggers().get(1), "not overridden: the descriptor's default");
        HealthCheck errorRate = plan.healthChecks().stream().filter(c -> c.metric() == MetricKind.ERROR_RATE).findFirst().orElseThrow();
        assertEquals(0.5, errorRate.threshold());
        assertEquals(200, errorRate.minSamples());
    }

    @Test
    void aDestructiveMigrationIsHeldAndNamedABlocker() {
        PlanBuilder.Release release = new PlanBuilder.Release("r", "checkout", "1.4.0", "0a1b2c3d", "rita",
                Fixtures.profile(DbMigration.DESTRUCTIVE, false, false, List.of(), false), 0);
        Plan plan = PlanBuilder.build(release, Fixtures.descriptor(), Fixtures.WINDOW);
        assertTrue(plan.heldForEscalation());
        assertTrue(plan.constraints().get(0).startsWith("Destructive DB migration: cannot be rolled back without data loss"));
        assertTrue(plan.rollbackProcedure().stream().noneMatch(s -> s.id().equals("rollback-migration")), "no pretend rollback of a destructive migration");
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> sideEffects() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(false, false, false, null),
                org.junit.jupiter.params.provider.Arguments.of(true, false, true, "External API change visible to partners"),
                org.junit.jupiter.params.provider.Arguments.of(false, true, true, "Sends notifications/emails to users: those sent cannot be unsent"));
    }

    @ParameterizedTest(name = "external API {0}, notifications {1}: held {2}")
    @org.junit.jupiter.params.provider.MethodSource("sideEffects")
    void sideEffectsARollbackCannotUndoAreHeldForATeamLeadAndNamedInKnownConstraints(boolean externalApi, boolean notifications, boolean held,
            String constraint) {
        ChangeProfile profile = new ChangeProfile(DbMigration.NONE, false, false, true, List.of(), false, null, externalApi, notifications);
        Plan plan = PlanBuilder.build(new PlanBuilder.Release("r", "checkout", "1.4.0", "0a1b2c3d", "rita", profile, 0), Fixtures.descriptor(),
                Fixtures.WINDOW);
        assertEquals(held, plan.heldForEscalation());
        if (constraint == null) {
            assertTrue(plan.constraints().stream().noneMatch(c -> c.contains("cannot be unsent") || c.contains("partners")),
                    "a user-facing change alone sends nothing: " + plan.constraints());
        } else {
            String line = plan.constraints().stream().filter(c -> c.startsWith(constraint)).findFirst().orElseThrow(() -> new AssertionError(
                    plan.constraints().toString()));
            assertTrue(line.contains("held until the team lead releases it"), line);
            assertTrue(io.deploystage.planner.messaging.PlanEvents.event(java.util.UUID.randomUUID(), java.util.UUID.randomUUID(), plan)
                    .getRollbackPlan().contains(constraint), "in the rollback plan's Known Constraints");
        }
    }

    @Test
    void theWindowIsTheCalendarsFirstOpeningAndTheCalendarIsAKnownConstraint() {
        io.deploystage.platform.domain.DeploymentCalendar calendar = new io.deploystage.platform.domain.DeploymentCalendar(
                java.time.ZoneId.of("Europe/Berlin"), List.of(new io.deploystage.platform.domain.DeploymentCalendar.Window(
                        java.util.Set.of(java.time.DayOfWeek.MONDAY, java.time.DayOfWeek.TUESDAY, java.time.DayOfWeek.WEDNESDAY,
                                java.time.DayOfWeek.THURSDAY), java.time.LocalTime.of(9, 0), java.time.LocalTime.of(16, 0))),
                List.of(new io.deploystage.platform.domain.DeploymentCalendar.Freeze(Instant.parse("2026-12-18T00:00:00Z"),
                        Instant.parse("2027-01-04T08:00:00Z"), "year-end freeze")));
        // Friday 2026-11-27 15:00 CET: closed; Monday 09:00 CET
        Plan plan = PlanBuilder.build(Fixtures.releaseFor(Strategy.ROLLING), Fixtures.descriptor(), calendar, Fixtures.WINDOW);
        assertEquals(Instant.parse("2026-11-30T08:00:00Z"), plan.window());
        String known = plan.constraints().get(plan.constraints().size() - 1);
        assertEquals("Deployment calendar: production changes start only inside Mon,Tue,Wed,Thu 09:00–16:00 Europe/Berlin; freeze Fri 2026-12-18"
                + " 01:00 Europe/Berlin (2026-12-18 00:00 UTC) – Mon 2027-01-04 09:00 Europe/Berlin (2027-01-04 08:00 UTC): year-end freeze. The"
                + " executor holds production (WAITING_FOR_WINDOW) until the window opens; a rollback is never held.", known);
        var event = io.deploystage.planner.messaging.PlanEvents.event(java.util.UUID.randomUUID(), java.util.UUID.randomUUID(), plan);
        assertEquals(calendar, io.deploystage.platform.messaging.CalendarContract.fromContract(event.getCalendar()), "the calendar reaches the executor");
        assertTrue(event.getDeploymentChecklist().contains("- **Deployment Window**: 2026-11-30 08:00 UTC (Mon 09:00 Europe/Berlin)"),
                event.getDeploymentChecklist());

        // a hotfix in the freeze: now, since a senior approval naming its incident lets it through
        Instant inFreeze = Instant.parse("2026-12-22T10:00:00Z");
        Plan hotfix = PlanBuilder.build(Fixtures.releaseFor(Strategy.DIRECT), Fixtures.descriptor(), calendar, inFreeze);
        assertEquals(inFreeze, hotfix.window());
        assertEquals("INC-4711", PlanEvents.event(java.util.UUID.randomUUID(), java.util.UUID.randomUUID(), hotfix).getIncidentId());
        assertTrue(hotfix.constraints().get(hotfix.constraints().size() - 1).endsWith("Hotfix INC-4711: goes out in a freeze once a senior"
                + " approval names the incident."));
        Plan ordinary = PlanBuilder.build(Fixtures.releaseFor(Strategy.ROLLING), Fixtures.descriptor(), calendar, inFreeze);
        assertEquals(Instant.parse("2027-01-04T08:00:00Z"), ordinary.window(), "an ordinary release waits for the freeze's end");
    }

    @Test
    void onlyCommandsTheDescriptorDeclaresRerunSafeAreMarkedIdempotent() {
        Plan plan = plan(Strategy.ROLLING);
        PlanStep deploy = plan.steps().stream().filter(s -> s.id().equals("deploy-p1")).findFirst().orElseThrow();
        assertTrue(deploy.idempotent(), "kubectl set image is declared rerunSafe in the descriptor");
        PlanStep rollback = plan.rollbackProcedure().stream().filter(s -> s.id().equals("rollback-p1")).findFirst().orElseThrow();
        assertFalse(rollback.idempotent(), "rollout undo is not declared rerunSafe: an interrupted run must pause, not repeat");
        assertTrue(plan.steps().stream().filter(s -> s.kind() != StepKind.COMMAND).allMatch(PlanStep::idempotent));
    }

    @Test
    void flagStepsNameTheirFlagAndAudience() {
        List<PlanStep> flags = plan(Strategy.FEATURE_FLAG).steps().stream().filter(s -> s.kind() == StepKind.FLAG).toList();
        assertTrue(flags.stream().allMatch(s -> "new-checkout-flow".equals(s.flagKey())));
        assertEquals(List.of(false, true, false, false, false, false), flags.stream().map(PlanStep::flagInternal).toList());
        assertEquals(List.of(0, 0, 1, 5, 25, 100), flags.stream().map(PlanStep::trafficPercent).toList());
    }

    @Test
    void canaryStepsThroughItsWeightsWithABakeAndAHealthCheckAtEach() {
        List<PlanStep> steps = plan(Strategy.CANARY).steps();
        List<Integer> weights = steps.stream().filter(s -> s.kind() == StepKind.TRAFFIC).map(PlanStep::trafficPercent).toList();
        assertEquals(PlanBuilder.CANARY_WEIGHTS, weights);
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).kind() == StepKind.TRAFFIC) {
                assertEquals(StepKind.WAIT_FOR_HEALTH, steps.get(i + 1).kind(), "a health check after each weight");
            }
        }
        assertEquals(List.of("deploy-traffic", "--service", "checkout", "--to", "p1", "--weight", "25"),
                steps.stream().filter(s -> "canary-25".equals(s.id())).findFirst().orElseThrow().command());
    }

    @Test
    void valuesThatCouldReachAShellAreRefused() {
        for (String hostile : List.of("1.4.0; rm -rf /", "$(reboot)", "`id`", "1.4.0 && curl evil", "../../etc", "1.4|sh", "a\nb")) {
            PlanBuilder.Release release = new PlanBuilder.Release("r", "checkout", hostile, "0a1b2c3d", "rita",
                    Fixtures.profile(DbMigration.NONE, false, false, List.of(), false), 0);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> PlanBuilder.build(release, Fixtures.descriptor(), Fixtures.WINDOW), hostile);
            assertTrue(refused.getMessage().startsWith("version "), refused.getMessage());
        }
    }

    @Test
    void flagsThatWouldNotFitTheStepIdsOrTheRationaleAreRefusedAndTheLongestThatFitsPlans() {
        String longest = "f".repeat(64);
        PlanBuilder.Release fits = new PlanBuilder.Release("r", "checkout", "1.4.0", "0a1b2c3d", "rita",
                Fixtures.profile(DbMigration.NONE, false, false, List.of(longest), false), 0);
        Plan plan = PlanBuilder.build(fits, Fixtures.descriptor(), Fixtures.WINDOW);
        assertTrue(plan.steps().stream().allMatch(s -> s.id().length() <= 200), "step ids fit the executor's column");
        for (List<String> flags : List.of(List.of("f".repeat(65)), java.util.stream.IntStream.range(0, 21).mapToObj(i -> "flag" + i).toList())) {
            PlanBuilder.Release release = new PlanBuilder.Release("r", "checkout", "1.4.0", "0a1b2c3d", "rita",
                    Fixtures.profile(DbMigration.NONE, false, false, flags, false), 0);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> PlanBuilder.build(release, Fixtures.descriptor(), Fixtures.WINDOW));
            assertEquals("at most 20 feature flags of at most 64 characters each", refused.getMessage());
        }
    }

    @Test
    void descriptorsThatWouldRunAShellOrCarryMetacharactersAreRefused() {
        assertEquals(List.of(), Fixtures.descriptor().problems());
        Map<String, CommandTemplate> hostile = Map.of(
                "shell", Fixtures.argv("sh", "-c", "kubectl apply {version}"),
                "bash path", Fixtures.argv("/bin/bash", "deploy.sh"),
                "semicolon", Fixtures.argv("kubectl", "apply;reboot"),
                "substitution", Fixtures.argv("kubectl", "set", "image", "app=$(whoami)"),
                "backtick", Fixtures.argv("kubectl", "`id`"),
                "pipe", Fixtures.argv("kubectl", "get|sh"),
                "unknown placeholder", Fixtures.argv("kubectl", "{password}"),
                "redirect", Fixtures.argv("kubectl", ">/etc/passwd"),
                "env", Fixtures.argv("env", "X=1", "kubectl"));
        hostile.forEach((name, template) -> assertFalse(template.problems("deploy").isEmpty(), name));
    }

    @Test
    void metricQueriesAreCheckedAndReachThePlan() {
        EnvironmentSpec base = Fixtures.environment("production", List.of("p1"));
        java.util.function.Function<Map<String, String>, List<String>> problems = queries -> io.deploystage.planner.api.MetricQueryCheck.problems(
                new DeployDescriptor("checkout", Map.of(
                Environment.STAGING, Fixtures.environment("staging", List.of("s1")),
                Environment.PRODUCTION, new EnvironmentSpec(base.deploy(), base.rollback(), base.migrate(), base.migrateRollback(),
                        base.trafficSwitch(), base.flagSet(), base.smokeChecks(), base.instances(), queries, base.flags(), base.thresholds(),
                        base.versionUrls())),
                List.of("dana"), "dana", "#checkout")).stream().toList();
        assertEquals(List.of(), problems.apply(Map.of("requests", "sum(increase(x[{window}]))", "business.orders", "sum(increase(o[{window}]))",
                "scrape", "http://p1:8080/metrics, https://p2/metrics")));
        assertEquals(1, problems.apply(Map.of("error_rate", "x")).size(), "unknown measure");
        assertEquals(1, problems.apply(Map.of("scrape", "file:///etc/passwd")).size(), "scrape URLs are http(s)");
        Plan plan = PlanBuilder.build(Fixtures.releaseFor(Strategy.CANARY), Fixtures.descriptor(), Fixtures.WINDOW);
        assertEquals(Map.of("errors", "sum(increase(http_server_requests_seconds_count{service=\"checkout\",status=~\"5..\"}[{window}]))"),
                plan.metricQueries().get(Environment.PRODUCTION));
    }

    static void golden(String name, String actual) throws IOException {
        Path file = GOLDEN.resolve(name);
        if (Boolean.getBoolean("golden.update") || !Files.exists(file)) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual);
        }
        assertEquals(Files.readString(file), actual, name + " differs from its golden file");
    }

    static void assertNoSpecPlaceholderLeft(String markdown) {
        for (String placeholder : List.of("[Feature/Version]", "[tag or commit SHA]", "[exact command]", "[name]", "[X]", "[Y]", "[how]",
                "[Step]", "[command]", "[outcome]", "[X minutes]", "[Y minutes]", "[Business metric]", "[name/channel]",
                "[date/time and timezone]", "[What cannot be rolled back and why]", "[anything notable]")) {
            assertFalse(markdown.contains(placeholder), "placeholder " + placeholder + " left in\n" + markdown);
        }
    }

    static int indexOf(List<PlanStep> steps, Environment environment) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).environment() == environment) {
                return i;
            }
        }
        return steps.size();
    }

    static List<String> headings(Node doc) {
        List<String> headings = new ArrayList<>();
        doc.accept(new AbstractVisitor() {
            @Override
            public void visit(Heading heading) {
                headings.add(heading.getLevel() + ":" + textOf(heading));
            }
        });
        return headings;
    }

    /** Each table as rows of cell texts, the header row first. */
    static List<List<List<String>>> tables(Node doc) {
        List<List<List<String>>> tables = new ArrayList<>();
        doc.accept(new AbstractVisitor() {
            @Override
            public void visit(CustomBlock block) {
                if (block instanceof TableBlock) {
                    List<List<String>> rows = new ArrayList<>();
                    collectRows(block, rows);
                    tables.add(rows);
                }
            }
        });
        return tables;
    }

    static void collectRows(Node node, List<List<String>> rows) {
        for (Node child = node.getFirstChild(); child != null; child = child.getNext()) {
            if (child instanceof TableRow) {
                List<String> cells = new ArrayList<>();
                for (Node cell = child.getFirstChild(); cell != null; cell = cell.getNext()) {
                    if (cell instanceof TableCell) {
                        cells.add(textOf(cell));
                    }
                }
                rows.add(cells);
            } else if (child instanceof TableHead || child.getFirstChild() != null) {
                collectRows(child, rows);
            }
        }
    }

    static String textOf(Node node) {
        StringBuilder text = new StringBuilder();
        node.accept(new AbstractVisitor() {
            @Override
            public void visit(Text t) {
                text.append(t.getLiteral());
            }

            @Override
            public void visit(Code code) {
                text.append(code.getLiteral());
            }
        });
        return text.toString().trim();
    }
}
