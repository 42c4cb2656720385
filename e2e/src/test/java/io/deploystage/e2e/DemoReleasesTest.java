package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.Finding;
import io.deploystage.events.FindingStatus;
import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.GateResult;
import io.deploystage.events.GateStage;
import io.deploystage.events.GateVerdict;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.RollbackCommand;
import io.deploystage.events.Severity;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Topics;
import io.deploystage.events.Verdict;
import io.deploystage.stack.Demo;
import io.deploystage.stack.SampleDescriptor;
import io.deploystage.stack.SampleEvents;
import io.deploystage.stack.ServiceProcess;
import io.deploystage.stack.sample.SampleTraffic;

/**
 * The main job's two releases on the whole running system with real traffic on the sample's instances (the executor
 * as the main job runs it: 10 s bake windows, inconclusive health pauses): 1.1.0 goes out by canary and is DEPLOYED;
 * 1.2.0 breaches its error rate and is ROLLED_BACK, the breach in the verdict and the rollback procedure executed. Also:
 * an operator abort in the middle of a deployment, and a release with an unresolved Critical that is BLOCKED and never
 * reaches the executor. Watched and steered in the operator console, in a real browser: both releases appear with their
 * gate decisions and outcomes, the rollback's FAILING verdict with its numbers, and the abort is sent from the page.
 */
@Isolated
class DemoReleasesTest {

    /**
     * The pre-deploy baseline: five of the agent's windows (the main job takes 6 s). A pause of the load generator in
     * this busy JVM then moves the baseline's rate by a fifth, not by a third: CI once failed the faulty release in
     * staging on a spike against a 6 s baseline measured across such a pause.
     */
    static final Duration BASELINE = Duration.ofSeconds(12);

    static RunningSystem system;
    static SampleTraffic traffic;
    static Demo demo;
    static Path artifacts;
    static ConsolePage page;

    @BeforeAll
    static void start() throws Exception {
        // the executor judges checkout as the main job does (Demo.EXECUTOR_SETTINGS, set for checkout in RunningSystem);
        // no other class deploys checkout
        system = RunningSystem.get();
        traffic = new SampleTraffic(system.sample, "staging-1", SampleDescriptor.PRODUCTION, system.client::publish, Demo.AGENT_WINDOW)
                .start(Demo.PRODUCTION_RATE, Demo.STAGING_RATE);
        artifacts = Files.createTempDirectory("demo-artifacts");
        demo = new Demo(system.client, traffic, system.service("planner-service").baseUrl(), system.service("executor-service").baseUrl(),
                system.stack.tokens(), artifacts, BASELINE, System.out::println);
        page = ConsolePage.signIn(system.console().baseUrl(), system.stack.tokens().mint("olga", "operator"));
    }

    @AfterAll
    static void stop() {
        if (page != null) {
            page.close();
        }
        demo.close();
        traffic.close();
    }

    @Test
    void theGoodVersionIsDeployedByCanaryAndTheFaultyOneRolledBackOnItsErrorRate() throws Exception {
        try (var reader = system.client.reader(List.of(Topics.STEP_EVENTS, Topics.HEALTH_VERDICTS, Topics.ROLLBACK_COMMANDS,
                Topics.DEPLOYMENT_PLANS))) {
            Demo.Result good = demo.release("1.1.0", Duration.ofMinutes(3));
            assertEquals("DEPLOYED", good.outcome(), String.valueOf(good.reason()));
            assertEquals("CANARY", good.strategy());
            assertEquals("1.1.0", system.sample.runningVersion("prod-1"));
            assertEquals("1.1.0", system.sample.runningVersion("prod-2"));
            for (Path artifact : good.artifacts()) {
                assertTrue(Files.readString(artifact).startsWith("#"), artifact + " is a Markdown document");
            }
            // the completed checklist is the record: every step ticked with its time, the checks' values, the result
            String checklist = Files.readString(good.artifacts().get(0));
            assertTrue(checklist.contains("**Result**: DEPLOYED\n"), checklist);
            List<String> stepRows = checklist.lines().filter(l -> l.matches("\\| \\d+ \\| .*")).toList();
            assertFalse(stepRows.isEmpty(), checklist);
            assertTrue(stepRows.stream().allMatch(l -> l.matches(".*\\| \\[x\\] done \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\|$")
                    || l.contains("| [ ] skipped")), "every step done with its time, or skipped with why:\n" + checklist);
            assertTrue(checklist.contains("- [x] Staging deploy successful") && checklist.contains("- [x] Smoke tests pass in staging"), checklist);
            assertTrue(checklist.matches("(?s).*\\| Error rate \\|[^\n]*\\| HEALTHY: [^\n]*%.*"), "the measured error rate:\n" + checklist);
            assertTrue(checklist.contains("| Smoke tests | PASS/FAIL | PASS | PASS |"), checklist);

            // the agent reports the canary (prod-1, with its real share of the traffic) apart from the stable prod-2: the
            // monitor compared the two while they ran different versions, and found the good canary no worse
            reader.awaitUntil(seen -> Trail.of(seen, good.releaseId(), HealthVerdict.class).stream()
                    .anyMatch(v -> v.getCheck().equals("ERROR_RATE") && v.getVerdict() == Verdict.HEALTHY && v.getCohort() == io.deploystage.events.Cohort.CANARY
                            && v.getEnvironment() == io.deploystage.events.Environment.PRODUCTION), Duration.ofSeconds(60),
                    "the canary judged on its own traffic in production");
            List<HealthVerdict> compared = Trail.of(reader.seen(), good.releaseId(), HealthVerdict.class).stream()
                    .filter(v -> v.getCheck().startsWith("CANARY_")).toList();
            // the comparison with stable is made when both cohorts reported in the canary's window (not in every run:
            // seen missing once in three runs on this machine); when it is, the good canary is no worse
            assertTrue(compared.stream().allMatch(v -> v.getVerdict() != Verdict.FAILING && v.getCohort() == io.deploystage.events.Cohort.CANARY
                    && v.getEnvironment() == io.deploystage.events.Environment.PRODUCTION), "the good canary is no worse than stable: " + compared);

            Demo.Result bad = demo.release("1.2.0", Duration.ofMinutes(3));
            assertEquals("ROLLED_BACK", bad.outcome());
            // the failed card payments show as errors and as new ERROR lines in the canary's log: either breach rolls it back,
            // judged by its check or by the plan's rollback trigger (error rate significantly worse than the baseline),
            // whichever trips first (seen once in CI: the trigger)
            assertTrue(bad.reason().contains("ERROR_RATE FAILING") || bad.reason().contains("NEW_LOG_ERRORS FAILING")
                    || bad.reason().contains("Rollback trigger breached: error rate"), bad.reason());
            assertEquals("1.1.0", system.sample.runningVersion("prod-1"), "the canary is back on the previous version");
            assertEquals("1.1.0", system.sample.runningVersion("prod-2"), "the canary never reached prod-2");
            String record = Files.readString(bad.artifacts().get(0));
            assertTrue(record.contains("**Result**: ROLLED_BACK\n"), record);
            assertTrue(record.matches("(?s).*\\| R1 \\| rollback: Stop traffic to new version: reduce the canary to 0% \\|[^\n]*\\| \\[x\\] done .*"), record);
            assertTrue(record.contains("| [ ] skipped: not touched: promote-prod-2 never ran |"), record);
            assertTrue(record.contains("instances: prod-1 runs the previous version, prod-2 runs the previous version"), record);

            // the topics hold every earlier test's events: read until this release's plan, breach and rollback have all come by
            reader.awaitUntil(seen -> Trail.of(seen, bad.releaseId(), StepEvent.class).stream()
                    .anyMatch(s -> s.getStepId().equals("rollback-notify") && s.getStatus() == StepStatus.SUCCEEDED)
                    && Trail.of(seen, bad.releaseId(), HealthVerdict.class).stream().anyMatch(v -> v.getVerdict() == Verdict.FAILING)
                    && !Trail.of(seen, bad.releaseId(), DeploymentPlan.class).isEmpty(), Duration.ofSeconds(60),
                    "the plan, the breach and the rollback procedure");
            List<HealthVerdict> failing = Trail.of(reader.seen(), bad.releaseId(), HealthVerdict.class).stream()
                    .filter(v -> v.getVerdict() == Verdict.FAILING && List.of("ERROR_RATE", "CANARY_ERROR_RATE", "NEW_LOG_ERRORS").contains(v.getCheck()))
                    .toList();
            assertTrue(!failing.isEmpty() && failing.get(0).getValue() > 0 && failing.get(0).getSampleCount() >= 1,
                    "the breach is in a verdict with its numbers: " + failing);
            assertEquals(io.deploystage.events.Environment.PRODUCTION, failing.get(0).getEnvironment(), "judged in production, canary cohort");
            assertEquals(io.deploystage.events.Cohort.CANARY, failing.get(0).getCohort());
            List<HealthVerdict> againstStable = Trail.of(reader.seen(), bad.releaseId(), HealthVerdict.class).stream()
                    .filter(v -> v.getVerdict() == Verdict.FAILING && v.getCheck().equals("CANARY_ERROR_RATE")).toList();
            List<RollbackCommand> ordered = Trail.of(reader.seen(), bad.releaseId(), RollbackCommand.class);
            assertEquals(1, ordered.size(), "one rollback ordered: " + ordered);
            // which check trips first depends on the traffic: the error rate over its threshold can, with a few dozen
            // requests, before the comparison with stable is significant. Whichever it was, the rollback names it.
            if (!againstStable.isEmpty()) {
                assertTrue(againstStable.get(0).getReason().matches("canary error rate [\\d.]+% against stable 0\\.00%.*"),
                        againstStable.get(0).getReason());
            }
            assertTrue(failing.stream().anyMatch(v -> ordered.get(0).getReason().contains(v.getReason().substring(0, Math.min(30, v.getReason().length())))),
                    "the monitor's rollback names a breach with its numbers: " + ordered.get(0).getReason());
            DeploymentPlan plan = Trail.of(reader.seen(), bad.releaseId(), DeploymentPlan.class).get(0);
            List<String> rollbackSteps = plan.getRollbackProcedure().stream().map(s -> s.getStepId()).filter(id -> !id.equals("rollback-prod-2"))
                    .toList();
            List<String> ran = Trail.of(reader.seen(), bad.releaseId(), StepEvent.class).stream()
                    .filter(s -> s.getStatus() == StepStatus.SUCCEEDED && plan.getRollbackProcedure().stream().anyMatch(r -> r.getStepId()
                            .equals(s.getStepId()))).map(StepEvent::getStepId).toList();
            assertEquals(rollbackSteps, ran, "the rollback procedure ran in order, but for the instance the canary never reached");
            assertTrue(Trail.of(reader.seen(), bad.releaseId(), RollbackCommand.class).size() <= 1, "at most one rollback command");

            // the operator console shows both releases with their decisions and outcomes, and the breach with its numbers
            page.release(good.releaseId(), "CLEARED", "DEPLOYED", Duration.ofSeconds(30));
            page.release(bad.releaseId(), "CLEARED", "ROLLED_BACK", Duration.ofSeconds(30));
            page.select(bad.releaseId());
            List<java.util.Map<String, String>> shown = page.failingVerdicts(Duration.ofSeconds(30));
            for (HealthVerdict verdict : failing.stream().filter(v -> v.getValue() != null).toList()) {
                assertTrue(shown.stream().anyMatch(row -> row.get("check").equals(verdict.getCheck()) && near(row.get("value"), verdict.getValue())
                        && (verdict.getThreshold() == null || near(row.get("threshold"), verdict.getThreshold()))
                        && row.get("reason").equals(asShown(verdict.getReason()))), "the page shows " + verdict + " with its numbers: " + shown);
            }
            assertEquals(List.of(asShown(ordered.get(0).getReason())), page.rollbackReasons(), "the rollback with its reason in numbers");
            assertTrue(page.count("#charts figure.chart") > 0, "each check's values as a chart");
            assertTrue(page.count("#breaches tr.breach") >= failing.size(), "the breaches above the charts");
            // the two artifacts, rendered: headings and tables, the text of the plan's
            String rollbackPlan = page.artifact("rollbackPlan");
            assertTrue(rollbackPlan.contains("<h1>") && rollbackPlan.contains("<table>") && rollbackPlan.contains("checkout 1.2.0"), rollbackPlan);
            String done = page.artifact("completed");
            assertTrue(done.contains("<strong>Result</strong>: ROLLED_BACK"), done);
            page.scrollTo("#detail");
            page.screenshot(Path.of("target", "console.png"));

            // what operators watch: the services' metrics hold what happened, and every metric the Grafana dashboard
            // (docs/grafana/deploy-stage.json) draws is one a service exposes
            io.deploystage.stack.Await.until(Duration.ofSeconds(30), "the executor's gauges to count the rolled-back deployment",
                    () -> metric("executor-service", "deploystage_deployments", Map.of("state", "ROLLED_BACK")), n -> n >= 1);
            assertTrue(metric("executor-service", "deploystage_events_published_total", Map.of("type", "DeploymentOutcome", "result", "ROLLED_BACK")) >= 1);
            assertTrue(metric("monitor-service", "deploystage_events_published_total", Map.of("type", "HealthVerdict", "result", "FAILING")) >= 1);
            assertTrue(metric("monitor-service", "deploystage_events_published_total", Map.of("type", "RollbackCommand", "result", "-")) >= 1);
            String dashboard = Files.readString(ServiceProcess.projectRoot().resolve("docs/grafana/deploy-stage.json"));
            java.util.Set<String> drawn = new java.util.TreeSet<>();
            java.util.regex.Matcher names = java.util.regex.Pattern.compile("deploystage_[a-z_]+").matcher(dashboard);
            while (names.find()) {
                drawn.add(names.group());
            }
            StringBuilder exposed = new StringBuilder();
            for (String service : ServiceProcess.SERVICES) {
                exposed.append(scrape(service));
                assertTrue(scrape(service).contains("deploystage_outbox_backlog"), service + " reports its outbox backlog");
            }
            for (String name : drawn) {
                // dead letters are counted per topic from the first one on (none in this test's flow)
                assertTrue(name.equals("deploystage_dead_letters_total") || exposed.toString().contains("\n" + name),
                        "the dashboard draws " + name + ", which no service exposes");
            }
        }
    }

    private static String scrape(String service) throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(system.service(service).baseUrl() + "/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode(), service);
        return "\n" + metrics.body();
    }

    /** The sum of a metric's series with these labels in a service's /q/metrics. */
    private static double metric(String service, String name, Map<String, String> labels) throws Exception {
        double sum = 0;
        for (String line : scrape(service).split("\n")) {
            if (line.startsWith(name + "{") && labels.entrySet().stream().allMatch(l -> line.contains(l.getKey() + "=\"" + l.getValue() + "\""))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** Text as a browser renders it in a cell (runs of white space as one). */
    private static String asShown(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }

    /** A number as the page shows it (rounded to 4 decimals) against the event's. */
    private static boolean near(String shown, double expected) {
        try {
            return Math.abs(Double.parseDouble(shown) - expected) <= 1e-4 * Math.max(1, Math.abs(expected));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Test
    void anOperatorAbortsADeploymentInTheMiddleThenRollsItBack() throws Exception {
        String releaseId = "abort-" + UUID.randomUUID().toString().substring(0, 8);
        String prod1 = system.sample.runningVersion("prod-1");
        String prod2 = system.sample.runningVersion("prod-2");
        traffic.follow(releaseId, SampleDescriptor.SERVICE, "1.3.0");
        try (var reader = system.client.reader(List.of(Topics.STEP_EVENTS, Topics.DEPLOYMENT_OUTCOMES, Topics.METRIC_SAMPLES))) {
            // the pre-deploy baseline: six windows (15 s) of measured traffic for this release; with two (5 s), one stall of
            // the load generator on the busy CI machine made staging's baseline 13.4 req/s against the 20 sent, and the
            // unchanged traffic after the deploy was judged 50% above it (THROUGHPUT FAILING, the release failed in staging)
            reader.awaitUntil(seen -> Trail.of(seen, releaseId, io.deploystage.events.MetricSample.class).stream()
                    .filter(m -> m.getCohort() == io.deploystage.events.Cohort.BASELINE
                            && m.getEnvironment() == io.deploystage.events.Environment.STAGING).count() >= 6,
                    Duration.ofSeconds(45), "six baseline windows of staging");
            system.client.publish(SampleEvents.releaseCandidate(releaseId, SampleDescriptor.SERVICE, "1.3.0"));
            SampleEvents.passingGates(releaseId).forEach(system.client::publish);
            StepEvent bake = reader.awaitUntil(seen -> Trail.of(seen, releaseId, StepEvent.class).stream()
                    .anyMatch(s -> s.getStepId().equals("bake-5") && s.getStatus() == StepStatus.STARTED), Duration.ofSeconds(120), "bake-5")
                    .stream().map(r -> r.value()).filter(StepEvent.class::isInstance).map(StepEvent.class::cast)
                    .filter(s -> releaseId.equals(s.getReleaseId()) && s.getStepId().equals("bake-5")).findFirst().orElseThrow();
            // the operator aborts it from the console: the page's Abort button, confirmed with a comment
            page.select(releaseId);
            assertFalse(page.hasButton("approve"), "an operator without the approver role is shown no Approve button");
            page.command(bake.getDeploymentId(), "abort", "stop: payment provider maintenance window");
            reader.awaitUntil(seen -> !Trail.of(seen, releaseId, DeploymentOutcome.class).isEmpty(), Duration.ofSeconds(30), "the outcome");
            DeploymentOutcome outcome = Trail.of(reader.seen(), releaseId, DeploymentOutcome.class).get(0);
            assertEquals(DeploymentResult.ABORTED, outcome.getOutcome());
            assertTrue(outcome.getReason().contains("payment provider maintenance window"), outcome.getReason());
            reader.awaitUntil(seen -> Trail.of(seen, releaseId, StepEvent.class).stream()
                    .anyMatch(s -> s.getStepId().equals("promote-prod-2")), Duration.ofSeconds(30), "promote-prod-2's step event");
            assertEquals(List.of(StepStatus.SKIPPED), Trail.of(reader.seen(), releaseId, StepEvent.class).stream()
                    .filter(s -> s.getStepId().equals("promote-prod-2")).map(StepEvent::getStatus).toList(), "nothing after the abort ran");
            assertTrue(outcome.getReason().contains("prod-1 runs 1.3.0, prod-2 runs the previous version"), outcome.getReason());
            assertEquals("1.3.0", system.sample.runningVersion("prod-1"), "an abort leaves what it did");

            // the operator then rolls the aborted deployment back: the canary returns to the previous version, prod-2 is left alone
            HttpResponse<String> rollback = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    system.service("executor-service").baseUrl() + "/deployments/" + bake.getDeploymentId() + "/rollback"))
                    .header("Authorization", "Bearer " + system.stack.tokens().mint("olga", "operator"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, rollback.statusCode(), rollback.body());
            reader.awaitUntil(seen -> Trail.of(seen, releaseId, DeploymentOutcome.class).stream()
                    .anyMatch(o -> o.getOutcome() == DeploymentResult.ROLLED_BACK), Duration.ofSeconds(60), "the ROLLED_BACK outcome");
            assertEquals(prod1, system.sample.runningVersion("prod-1"), "asked from the instance: the canary runs the previous version");
            assertEquals(prod2, system.sample.runningVersion("prod-2"));
        } finally {
            // leave production as the other tests expect it: every instance on one version
            system.sample.deploy("production", "prod-1", "1.1.0", ProcessHandle.current().pid());
        }
    }

    @Test
    void anOperatorKillsAFlagFromTheConsole() throws Exception {
        String key = "console-flag-" + UUID.randomUUID().toString().substring(0, 8);
        String executor = system.service("executor-service").baseUrl();
        String token = system.stack.tokens().mint("olga", "operator");
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> set = http.send(HttpRequest.newBuilder(URI.create(executor + "/flags/" + key)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"enabled\": true, \"internalEnabled\": false, \"rolloutPercent\": 25}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, set.statusCode(), set.body());
        page.killFlag(key, "kill: checkout errors after enabling");
        HttpResponse<String> flag = http.send(HttpRequest.newBuilder(URI.create(executor + "/flags/" + key)).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, flag.statusCode(), flag.body());
        assertTrue(flag.body().contains("\"killed\":true"), "the executor has the flag killed: " + flag.body());
    }

    @Test
    void aReleaseWithAnUnresolvedCriticalIsBlockedAndNeverReachesTheExecutor() throws Exception {
        String releaseId = "blocked-" + UUID.randomUUID().toString().substring(0, 8);
        try (var reader = system.client.reader(List.of(Topics.GATE_DECISIONS, Topics.DEPLOYMENT_PLANS, Topics.STEP_EVENTS))) {
            system.client.publish(SampleEvents.releaseCandidate(releaseId, SampleDescriptor.SERVICE, "1.4.0"));
            system.client.publish(SampleEvents.gateResult(releaseId, GateStage.REVIEW, GateVerdict.PASS));
            system.client.publish(SampleEvents.gateResult(releaseId, GateStage.TEST, GateVerdict.PASS));
            GateResult security = SampleEvents.gateResult(releaseId, GateStage.SECURITY, GateVerdict.FAIL);
            security.setFindings(List.of(Finding.newBuilder().setId("java/sql-injection:src/Checkout.java:42").setSeverity(Severity.CRITICAL)
                    .setTitle("SQL injection in checkout search <img src=x onerror=alert(1)>").setStatus(FindingStatus.OPEN).build()));
            system.client.publish(security);
            reader.awaitUntil(seen -> Trail.of(seen, releaseId, GateDecision.class).stream().anyMatch(d -> d.getOutcome() == GateOutcome.BLOCKED),
                    Duration.ofSeconds(30), "the BLOCKED decision");
            // the planner has handled the decision and published all it staged for the release, and all of it is read:
            // a plan would be here now
            UUID decided = Trail.of(reader.seen(), releaseId, GateDecision.class).stream().filter(d -> d.getOutcome() == GateOutcome.BLOCKED)
                    .findFirst().orElseThrow().getEventId();
            io.deploystage.stack.Await.until(Duration.ofSeconds(30), "the planner handling the BLOCKED decision",
                    () -> system.processed("planner-service", decided) && system.unpublished("planner-service", releaseId) == 0);
            reader.readToEnd(Duration.ofSeconds(30));
            assertEquals(List.of(), Trail.of(reader.seen(), releaseId, DeploymentPlan.class), "no plan for a blocked release");
            assertEquals(List.of(), Trail.of(reader.seen(), releaseId, StepEvent.class), "the executor never saw it");
            GateDecision blocked = Trail.of(reader.seen(), releaseId, GateDecision.class).stream()
                    .filter(d -> d.getOutcome() == GateOutcome.BLOCKED).findFirst().orElseThrow();
            assertTrue(blocked.getReasons().stream().anyMatch(r -> r.getMessage().contains("SQL injection")), blocked.getReasons().toString());
            // the record carries the CloudEvents attributes as headers (binary mode), for consumers that do not read Avro
            var record = reader.seen().stream().filter(r -> r.value() == blocked).findFirst().orElseThrow();
            java.util.Map<String, String> ce = new java.util.HashMap<>();
            record.headers().forEach(h -> ce.put(h.key(), new String(h.value(), java.nio.charset.StandardCharsets.UTF_8)));
            assertEquals("1.0", ce.get("ce_specversion"), ce.toString());
            assertEquals(blocked.getEventId().toString(), ce.get("ce_id"));
            assertEquals("io.deploystage.events.GateDecision", ce.get("ce_type"));
            assertEquals("/deploy-stage/gate-service", ce.get("ce_source"));
            assertEquals(releaseId, ce.get("ce_subject"));
            assertEquals(blocked.getOccurredAt(), java.time.Instant.parse(ce.get("ce_time")));
            assertEquals("application/avro", ce.get("content-type"));
            // the console shows the finding's text as text: the markup in it is not made into an element
            String reasons = page.release(releaseId, "BLOCKED", null, Duration.ofSeconds(30)).get("reasons");
            assertTrue(reasons.contains("SQL injection in checkout search <img src=x onerror=alert(1)>"), reasons);
            assertEquals(0, page.count("#releases img"), "no element made from event text");
        }
    }
}
