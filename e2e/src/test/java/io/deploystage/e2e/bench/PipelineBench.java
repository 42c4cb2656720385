package io.deploystage.e2e.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.deploystage.events.Cohort;
import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.Environment;
import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.MetricSample;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Topics;
import io.deploystage.e2e.RunningSystemAccess;
import io.deploystage.stack.EventClient;
import io.deploystage.stack.LocalStack;
import io.deploystage.stack.Percentiles;
import io.deploystage.stack.SampleEvents;
import io.deploystage.stack.ServiceProcess;

/**
 * N concurrent releases (N = 1, 100, 1000 by default) through the whole running system on this machine: every release
 * of its own service (one deployment per service at a time), gates to outcome. One release in ten has its production
 * metrics breach the error-rate threshold once production is touched, and must be rolled back (also when the breach
 * lands after the deployment ended DEPLOYED: the stabilization window). Reports releases/s,
 * gate-to-plan and breach-to-rollback p50/p99 (also as multiples of a bare two-hop Kafka relay's, measured in the same run:
 * {@link BareRelay}) and each service's RSS, as a table and as JSON
 * (e2e/target/pipeline-bench.json).
 * Run on purpose: ./mvnw -B -Pbench -pl e2e -am verify -Dtest=PipelineBench -Dsurefire.failIfNoSpecifiedTests=false
 * (-Dbench.sizes=1,100,1000 -Dbench.timeout=PT15M)
 */
@Tag("bench")
class PipelineBench {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void concurrentReleasesThroughTheWholeFlow() throws Exception {
        var system = RunningSystemAccess.get();
        List<Integer> sizes = java.util.Arrays.stream(System.getProperty("bench.sizes", "1,100,1000").split(",")).map(String::trim)
                .map(Integer::parseInt).toList();
        Duration timeout = Duration.parse(System.getProperty("bench.timeout", "PT15M"));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int n : sizes) {
            rows.add(run(system, n, timeout));
        }
        System.out.printf("%n| releases | completed | wall s | releases/s | bare relay p50 ms | p99 ms | gate→plan p50 ms | p99 ms (× relay p99)"
                + " | breach→RollbackCommand p50 ms | p99 ms | breach→rollback step p50 ms (× relay p50) | p99 ms (× relay p99) | rolled back"
                + " | RSS MiB gate/planner/executor/monitor/notifier |%n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|%n");
        for (Map<String, Object> r : rows) {
            System.out.printf("| %s | %s | %s | %s | %s | %s | %s | %s (×%s) | %s | %s | %s (×%s) | %s (×%s) | %s | %s |%n", r.get("releases"),
                    r.get("completed"), r.get("wallSeconds"), r.get("releasesPerSecond"), r.get("bareRelayP50Ms"), r.get("bareRelayP99Ms"),
                    r.get("gateToPlanP50Ms"), r.get("gateToPlanP99Ms"), r.get("gateToPlanP99xRelay"), r.get("breachToCommandP50Ms"),
                    r.get("breachToCommandP99Ms"), r.get("breachToRollbackP50Ms"), r.get("breachToRollbackP50xRelay"),
                    r.get("breachToRollbackP99Ms"), r.get("breachToRollbackP99xRelay"), r.get("rolledBack"), r.get("rssMib"));
        }
        Path json = Path.of("target", "pipeline-bench.json");
        Files.writeString(json, new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(rows));
        System.out.println("written to " + json.toAbsolutePath());
    }

    private Map<String, Object> run(RunningSystemAccess system, int n, Duration timeout) throws Exception {
        String batch = UUID.randomUUID().toString().substring(0, 6);
        List<String> services = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            services.add("pipe-" + batch + "-" + i);
        }
        for (String service : services) {
            register(system, service);
        }
        // the floor, measured in the same run on the same broker just before the releases: N records through a bare
        // two-hop relay (no database, no registry)
        long[] floor = BareRelay.measure(system.kafkaAdminConfig(), n);
        Map<String, String> releaseOf = new LinkedHashMap<>();
        services.forEach(s -> releaseOf.put(s, s + "-r"));
        Set<String> breaching = new java.util.HashSet<>();
        for (int i = 0; i < n; i += 10) {
            breaching.add(releaseOf.get(services.get(i)));
        }
        Map<String, Long> cleared = new ConcurrentHashMap<>();
        Map<String, Long> planned = new ConcurrentHashMap<>();
        Map<String, Long> breachSent = new ConcurrentHashMap<>();
        Map<String, Long> rollbackStarted = new ConcurrentHashMap<>();
        Map<String, String> outcomes = new ConcurrentHashMap<>();
        Map<String, DeploymentPlan> plans = new HashMap<>();
        EventClient client = system.client();
        Map<String, Long> rollbackOrdered = new ConcurrentHashMap<>();
        try (EventClient.Reader reader = client.reader(List.of(Topics.GATE_DECISIONS, Topics.DEPLOYMENT_PLANS, Topics.STEP_EVENTS,
                Topics.DEPLOYMENT_OUTCOMES, Topics.ROLLBACK_COMMANDS))) {
            reader.poll(Duration.ofSeconds(1));
            long start = System.currentTimeMillis();
            for (String service : services) {
                String releaseId = releaseOf.get(service);
                client.publish(SampleEvents.releaseCandidate(releaseId, service, "1.0.0"));
                SampleEvents.passingGates(releaseId).forEach(client::publish);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            // done when every release has an outcome and no breaching one is left DEPLOYED (a rollback may follow a DEPLOYED)
            while ((outcomes.size() < n || breaching.stream().anyMatch(r -> "DEPLOYED".equals(outcomes.get(r)))) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, Object> r : reader.poll(Duration.ofMillis(200))) {
                    String releaseId = r.key();
                    if (!releaseOf.containsValue(releaseId)) {
                        continue;
                    }
                    if (r.value() instanceof GateDecision d && d.getOutcome() == GateOutcome.CLEARED) {
                        cleared.putIfAbsent(releaseId, r.timestamp());
                    } else if (r.value() instanceof DeploymentPlan p) {
                        planned.putIfAbsent(releaseId, r.timestamp());
                        plans.put(releaseId, p);
                    } else if (r.value() instanceof StepEvent s && s.getStatus() == StepStatus.STARTED) {
                        if (breaching.contains(releaseId) && s.getEnvironment() == Environment.PRODUCTION && !breachSent.containsKey(releaseId)
                                && !s.getStepId().equals("tag-release")) {
                            breachSent.put(releaseId, System.currentTimeMillis());
                            client.publish(breach(releaseId, plans.get(releaseId)));
                        }
                        if (s.getStepId().startsWith("rollback-")) {
                            rollbackStarted.putIfAbsent(releaseId, r.timestamp());
                        }
                    } else if (r.value() instanceof io.deploystage.events.RollbackCommand) {
                        rollbackOrdered.putIfAbsent(releaseId, r.timestamp());
                    } else if (r.value() instanceof DeploymentOutcome o) {
                        outcomes.put(releaseId, o.getOutcome().name());
                    }
                }
            }
            long wall = Math.max(1, Math.max(System.currentTimeMillis() - start, 1));
            List<Long> gateToPlan = new ArrayList<>();
            cleared.forEach((r, t) -> {
                if (planned.containsKey(r)) {
                    gateToPlan.add(planned.get(r) - t);
                }
            });
            List<Long> breachToRollback = new ArrayList<>();
            breachSent.forEach((r, t) -> {
                if (rollbackStarted.containsKey(r)) {
                    breachToRollback.add(rollbackStarted.get(r) - t);
                }
            });
            List<Long> breachToCommand = new ArrayList<>();
            breachSent.forEach((r, t) -> {
                if (rollbackOrdered.containsKey(r)) {
                    breachToCommand.add(rollbackOrdered.get(r) - t);
                }
            });
            long[] c = Percentiles.sorted(breachToCommand.isEmpty() ? List.of(0L) : breachToCommand);
            long[] g = Percentiles.sorted(gateToPlan.isEmpty() ? List.of(0L) : gateToPlan);
            long[] b = Percentiles.sorted(breachToRollback.isEmpty() ? List.of(0L) : breachToRollback);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("releases", n);
            row.put("completed", outcomes.size());
            row.put("wallSeconds", String.format(java.util.Locale.ROOT, "%.1f", wall / 1000.0));
            row.put("releasesPerSecond", String.format(java.util.Locale.ROOT, "%.2f", outcomes.size() * 1000.0 / wall));
            row.put("gateToPlanP50Ms", Percentiles.of(g, 50));
            row.put("gateToPlanP99Ms", Percentiles.of(g, 99));
            // the monitor's part: breach published -> RollbackCommand published (its record's timestamp)
            row.put("breachToCommandP50Ms", Percentiles.of(c, 50));
            row.put("breachToCommandP99Ms", Percentiles.of(c, 99));
            row.put("breachToRollbackP50Ms", Percentiles.of(b, 50));
            row.put("breachToRollbackP99Ms", Percentiles.of(b, 99));
            long floorP50 = Math.max(1, Percentiles.of(floor, 50));
            long floorP99 = Math.max(1, Percentiles.of(floor, 99));
            row.put("bareRelayP50Ms", floorP50);
            row.put("bareRelayP99Ms", floorP99);
            row.put("gateToPlanP99xRelay", ratio(Percentiles.of(g, 99), floorP99));
            row.put("breachToRollbackP50xRelay", ratio(Percentiles.of(b, 50), floorP50));
            row.put("breachToRollbackP99xRelay", ratio(Percentiles.of(b, 99), floorP99));
            row.put("rolledBack", outcomes.values().stream().filter("ROLLED_BACK"::equals).count() + " of " + breaching.size());
            row.put("outcomes", outcomes.values().stream().collect(java.util.stream.Collectors.groupingBy(o -> o, java.util.stream.Collectors.counting())));
            List<Long> rss = new ArrayList<>();
            for (String name : ServiceProcess.SERVICES) {
                rss.add(LocalStack.rssMib(system.service(name).pid()));
            }
            row.put("rssMib", rss.toString());
            System.out.printf("N=%d: %s%n", n, row);
            return row;
        }
    }

    private static String ratio(long value, long floor) {
        return String.format(java.util.Locale.ROOT, "%.1f", (double) value / floor);
    }

    /** A production window with a third of the requests failing: over any error-rate threshold. */
    private static MetricSample breach(String releaseId, DeploymentPlan plan) {
        Instant now = Instant.now();
        return MetricSample.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(now).setCausationId(null)
                .setService(plan == null ? "unknown" : plan.getService()).setEnvironment(Environment.PRODUCTION).setVersion("1.0.0")
                .setCohort(Cohort.CANARY).setWindowStart(now.minusSeconds(1)).setWindowEnd(now).setRequestCount(300).setErrorCount(100)
                .setLatencyMillis(java.util.Collections.nCopies(300, 20.0)).setNewErrorLogLines(100).setNewWarnLogLines(0).build();
    }

    /** A service whose deploy steps run real, instant commands and whose smoke test is the planner's own liveness endpoint. */
    private static void register(RunningSystemAccess system, String service) throws Exception {
        String smoke = system.service("planner-service").baseUrl() + "/q/health/live";
        String environment = """
                {"deploy": ["true", "{environment}", "{instance}", "{version}"], "rollback": ["true", "{instance}"],
                 "trafficSwitch": ["true", "{instance}", "{weight}"], "rerunSafe": ["deploy", "trafficSwitch"],
                 "smokeChecks": [{"name": "live", "method": "GET", "url": "%s", "expectStatus": 200}],
                 "instances": ["%s"]}""";
        String body = "{\"staging\": " + environment.formatted(smoke, "s1") + ", \"production\": " + environment.formatted(smoke, "p1")
                + ", \"owners\": [\"dana\"], \"escalationContact\": \"dana\"}";
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(system.service("planner-service").baseUrl() + "/descriptors/"
                + service)).header("Authorization", "Bearer " + system.tokens().mint("bench", "operator")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw new IllegalStateException("registering " + service + ": " + response.statusCode() + " " + response.body());
        }
    }
}
