package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.PlanStep;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Topics;
import io.deploystage.stack.LocalStack;
import io.deploystage.stack.SampleDescriptor;
import io.deploystage.stack.SampleEvents;
import io.deploystage.stack.ServiceProcess;
import io.deploystage.stack.TcpProxy;

/**
 * The fault soak: releases of the sample service go through the whole system, with two instances of the executor,
 * the monitor and the notifier, while a random service instance is killed (kill -9) and restarted every few seconds,
 * PostgreSQL is down for 60 s, the registry for 30 s, and the broker restarts. The services reach PostgreSQL and the
 * registry through relays this test cuts (connections reset, new ones refused, as when the server goes down).
 * <p>
 * At the end every release has its outcome; every deploy command the sample's tools logged was announced by a STARTED
 * step event (a run after an interruption is announced as one: nothing runs unannounced, nothing twice silently); each
 * release's Slack message was received once; no record of the soak's releases is on any dead-letter topic.
 * {@code -Pbench -Dtest=FaultSoakTest} runs the long version (100 releases, {@code -Dsoak.releases=N}) and prints the table.
 */
class FaultSoakTest {

    enum Fault { KILL, POSTGRES_DOWN, REGISTRY_DOWN, BROKER_RESTART }

    /**
     * One cycle of faults; the soak runs it whole at least once, then repeats it (or, past {@code outageCycles}, only its
     * kills) until every release has its outcome.
     */
    static final List<Fault> CYCLE = List.of(Fault.KILL, Fault.KILL, Fault.POSTGRES_DOWN, Fault.KILL, Fault.REGISTRY_DOWN, Fault.KILL,
            Fault.BROKER_RESTART, Fault.KILL);

    static final Map<String, String> EXECUTOR = Map.of("executor.health.max-window", "2s", "executor.health.freshness", "1s",
            "executor.health.when-inconclusive", "PROCEED", "executor.lease-ttl", "6s");

    @Test
    void releasesReachTheirOutcomeThroughKillsOutagesAndABrokerRestartWithNothingLostOrDoubled() throws Exception {
        soak(6, 1);
    }

    @Test
    @Tag("bench")
    void soakBench() throws Exception {
        soak(Integer.getInteger("soak.releases", 100), Integer.MAX_VALUE);
    }

    private void soak(int releases, int outageCycles) throws Exception {
        RunningSystem system = RunningSystem.get();
        Random random = new Random(Long.getLong("soak.seed", System.nanoTime()));
        Receiver receiver = Receiver.start();
        List<String> slack = receiver.bodies();
        TcpProxy database = TcpProxy.to("localhost", system.stack.postgres().port());
        URI registryUrl = URI.create(system.stack.registryUrl());
        TcpProxy registry = TcpProxy.to(registryUrl.getHost(), registryUrl.getPort());
        Map<String, String> notifierRoute = Map.of("notifier.destinations.soak.kind", "slack",
                "notifier.destinations.soak.url", receiver.url("/slack"),
                "notifier.routes." + SampleDescriptor.SERVICE, "soak");

        // every service through the relays; a second instance of the executor, the monitor and the notifier
        Map<ServiceProcess, Map<String, String>> instances = new LinkedHashMap<>();
        List<ServiceProcess> seconds = new ArrayList<>();
        for (String name : ServiceProcess.SERVICES) {
            Map<String, String> settings = new HashMap<>(proxied(system, name, database, registry));
            if (name.equals("executor-service")) {
                settings.putAll(EXECUTOR);
            }
            if (name.equals("notifier-service")) {
                settings.putAll(notifierRoute);
            }
            ServiceProcess first = system.service(name);
            first.kill9();
            instances.put(first.start(settings), settings);
            if (Set.of("executor-service", "monitor-service", "notifier-service").contains(name)) {
                ServiceProcess second = ServiceProcess.of(name, system.stack, Path.of("target", "e2e", "logs", "soak-second"), 0);
                if (name.equals("executor-service")) {
                    second.configure(system.sample.executorConfig(ProcessHandle.current().pid()));
                }
                seconds.add(second);
                instances.put(second.start(settings), settings);
            }
        }
        List<ServiceProcess> all = new ArrayList<>(instances.keySet());

        int actionsBefore = system.sample.actions().size();
        long started = System.nanoTime();
        Map<String, String> versions = new LinkedHashMap<>(); // releaseId -> version
        int minor = random.nextInt(1000);
        for (int i = 0; i < releases; i++) {
            versions.put("soak-" + UUID.randomUUID().toString().substring(0, 8), "9." + minor + "." + i);
        }
        Map<Fault, Integer> faults = new TreeMap<>();
        try (var reader = system.client.reader(List.of(Topics.DEPLOYMENT_PLANS, Topics.STEP_EVENTS, Topics.DEPLOYMENT_OUTCOMES))) {
            versions.forEach((releaseId, version) -> {
                system.client.publish(SampleEvents.releaseCandidate(releaseId, SampleDescriptor.SERVICE, version));
                SampleEvents.passingGates(releaseId).forEach(system.client::publish);
            });
            System.out.printf("soak: %d releases of %s published; faults follow%n", releases, SampleDescriptor.SERVICE);

            long deadline = System.nanoTime() + Duration.ofMinutes(4 + releases).toNanos();
            for (int f = 0; f < CYCLE.size() || !outcomes(reader, versions.keySet()).keySet().containsAll(versions.keySet()); f++) {
                if (System.nanoTime() > deadline) {
                    break;
                }
                Fault fault = f / CYCLE.size() < outageCycles ? CYCLE.get(f % CYCLE.size()) : Fault.KILL;
                faults.merge(fault, 1, Integer::sum);
                long t0 = System.nanoTime();
                switch (fault) {
                    case KILL -> killAndRestart(all.get(random.nextInt(all.size())), instances);
                    case POSTGRES_DOWN -> {
                        database.cut();
                        LocalStack.pause(20_000);
                        ServiceProcess victim = all.get(random.nextInt(all.size()));
                        victim.kill9(); // killed while the database is down, restarted when it is back
                        faults.merge(Fault.KILL, 1, Integer::sum);
                        LocalStack.pause(40_000);
                        database.restore();
                        victim.startLive(instances.get(victim));
                    }
                    case REGISTRY_DOWN -> {
                        registry.cut();
                        LocalStack.pause(30_000);
                        registry.restore();
                    }
                    case BROKER_RESTART -> system.stack.restartKafka();
                }
                int done = outcomes(reader, versions.keySet()).size();
                System.out.printf("soak: %-14s in %5d ms; %d of %d releases have their outcome%n", fault, (System.nanoTime() - t0) / 1_000_000,
                        done, releases);
                LocalStack.pause(3_000);
            }
            Map<String, DeploymentOutcome> outcomes = outcomes(reader, versions.keySet());
            long seconds0 = Duration.ofNanos(System.nanoTime() - started).toSeconds();
            LocalStack.pause(5_000); // time for a late second send or a late duplicate to show
            reader.poll(Duration.ofSeconds(1));

            // every deploy command the tools ran was announced: expected runs per action line from the STARTED events
            Map<String, Long> announced = new TreeMap<>();
            Map<String, Long> reruns = new TreeMap<>();
            for (String releaseId : versions.keySet()) {
                List<DeploymentPlan> plans = Trail.of(reader.seen(), releaseId, DeploymentPlan.class);
                if (plans.isEmpty()) {
                    continue;
                }
                DeploymentPlan plan = plans.get(0);
                Map<String, String> actionOf = new HashMap<>();
                java.util.stream.Stream.concat(plan.getSteps().stream(), plan.getRollbackProcedure().stream())
                        .forEach(step -> deployAction(step, system.sample.deployTool()).ifPresent(a -> actionOf.put(step.getStepId(), a)));
                Trail.of(reader.seen(), releaseId, StepEvent.class).stream().filter(s -> s.getStatus() == StepStatus.STARTED)
                        .collect(Collectors.toMap(StepEvent::getEventId, s -> s, (a, b) -> a)).values().forEach(s -> {
                            String action = actionOf.get(s.getStepId());
                            if (action != null) {
                                announced.merge(action, 1L, Long::sum);
                                if (s.getDetail() != null && s.getDetail().startsWith("re-run")) {
                                    reruns.merge(action, 1L, Long::sum);
                                }
                            }
                        });
            }
            Set<String> soakVersions = Set.copyOf(versions.values());
            Map<String, Long> ran = system.sample.actions().subList(actionsBefore, system.sample.actions().size()).stream()
                    .filter(a -> a.startsWith("deploy ") && soakVersions.contains(a.substring(a.lastIndexOf(' ') + 1)))
                    .collect(Collectors.groupingBy(a -> a, TreeMap::new, Collectors.counting()));
            Map<String, Long> unannounced = new TreeMap<>();
            ran.forEach((action, n) -> {
                long extra = n - announced.getOrDefault(action, 0L);
                if (extra > 0) {
                    unannounced.put(action, extra);
                }
            });

            Map<String, Long> messages = versions.keySet().stream().collect(Collectors.toMap(r -> r,
                    r -> slack.stream().filter(body -> body.contains(r)).count()));
            long notificationsTwice = messages.values().stream().filter(n -> n > 1).count();
            long notificationsMissing = messages.entrySet().stream().filter(e -> e.getValue() == 0 && outcomes.containsKey(e.getKey())).count();

            List<String> dlqTopics = Topics.all().stream().map(Topics::deadLetterOf).toList();
            List<ConsumerRecord<String, Object>> dead;
            try (var deadReader = system.client.rawReader(dlqTopics)) {
                while (!deadReader.poll(Duration.ofSeconds(3)).isEmpty()) {
                    // read to the end of every dead-letter topic
                }
                dead = deadReader.seen();
            }
            List<String> deadOfSoak = dead.stream().filter(r -> versions.containsKey(r.key()))
                    .map(r -> r.topic() + " " + r.key() + " " + header(r, "dlq-reason")).toList();

            System.out.println("soak: | releases | with outcome | seconds | kills | PostgreSQL down | registry down | broker restarts "
                    + "| deploy commands | re-runs after a kill | unannounced runs | notifications twice | notifications missing | on a DLQ |");
            System.out.printf("soak: | %d | %d | %d | %d | %d × 60 s | %d × 30 s | %d | %d | %d | %d | %d | %d | %d |%n", releases, outcomes.size(),
                    seconds0, faults.getOrDefault(Fault.KILL, 0), faults.getOrDefault(Fault.POSTGRES_DOWN, 0),
                    faults.getOrDefault(Fault.REGISTRY_DOWN, 0), faults.getOrDefault(Fault.BROKER_RESTART, 0),
                    ran.values().stream().mapToLong(Long::longValue).sum(), reruns.values().stream().mapToLong(Long::longValue).sum(),
                    unannounced.values().stream().mapToLong(Long::longValue).sum(), notificationsTwice, notificationsMissing, deadOfSoak.size());
            System.out.println("soak: outcomes " + outcomes.values().stream().collect(Collectors.groupingBy(o -> o.getOutcome().name(),
                    TreeMap::new, Collectors.counting())));

            assertEquals(versions.keySet(), outcomes.keySet(), "every release reached an outcome");
            assertEquals(Map.of(), unannounced, "deploy commands that ran without their announced run (" + ran + " against " + announced + ")");
            assertTrue(messages.values().stream().allMatch(n -> n == 1), "each release's message received once: " + messages);
            assertEquals(List.of(), deadOfSoak, "no record of the soak's releases on a dead-letter topic");
        } finally {
            receiver.close();
            database.restore();
            registry.restore();
            seconds.forEach(ServiceProcess::kill9);
            for (String name : ServiceProcess.SERVICES) {
                ServiceProcess first = system.service(name);
                first.kill9();
                first.start(); // back to the stack's own addresses and the settings the other end-to-end tests use
            }
            database.close();
            registry.close();
        }
    }

    /** Kills the instance and starts it again (live is enough: a dependency may be down), as an orchestrator would. */
    private static void killAndRestart(ServiceProcess victim, Map<ServiceProcess, Map<String, String>> instances) {
        victim.kill9();
        LocalStack.pause(2_000);
        victim.startLive(instances.get(victim));
    }

    /** The settings that route a service's PostgreSQL and registry connections through the relays. */
    private static Map<String, String> proxied(RunningSystem system, String service, TcpProxy database, TcpProxy registry) {
        String db = service.replace("-service", "");
        URI registryUrl = URI.create(system.stack.registryUrl());
        return Map.of(
                "quarkus.datasource.reactive.url", "postgresql://localhost:" + database.port() + "/" + db,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + database.port() + "/" + db,
                "deploystage.registry-url", system.stack.registryUrl().replace(":" + registryUrl.getPort() + "/", ":" + registry.port() + "/"));
    }

    /** The line the sample's deploy tool logs for a plan step that runs it: "deploy production prod-1 9.1.0". */
    private static java.util.Optional<String> deployAction(PlanStep step, String deployTool) {
        List<String> command = step.getCommand() == null ? List.of() : step.getCommand().stream().map(CharSequence::toString).toList();
        if (command.isEmpty() || !command.get(0).equals(deployTool)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("deploy " + arg(command, "--environment") + " " + arg(command, "--instance") + " " + arg(command, "--version"));
    }

    private static String arg(List<String> command, String name) {
        int i = command.indexOf(name);
        return i >= 0 && i + 1 < command.size() ? command.get(i + 1) : "?";
    }

    private static Map<String, DeploymentOutcome> outcomes(io.deploystage.stack.EventClient.Reader reader, Set<String> releases) {
        reader.poll(Duration.ofMillis(200));
        Map<String, DeploymentOutcome> outcomes = new HashMap<>();
        for (String releaseId : releases) {
            Trail.of(reader.seen(), releaseId, DeploymentOutcome.class).stream().findFirst().ifPresent(o -> outcomes.put(releaseId, o));
        }
        return outcomes;
    }

    private static String header(ConsumerRecord<String, Object> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
