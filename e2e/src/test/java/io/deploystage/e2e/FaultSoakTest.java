package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.parallel.Isolated;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.PlanStep;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Topics;
import io.deploystage.stack.LocalStack;
import io.deploystage.stack.SampleEvents;
import io.deploystage.stack.ServiceProcess;
import io.deploystage.stack.TcpProxy;
import io.deploystage.stack.sample.SampleInstall;

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
@Isolated
class FaultSoakTest {

    /** The service this class releases: the sample installed under its own name. */
    static final String SERVICE = "soak-checkout";

    enum Fault { KILL, POSTGRES_DOWN, REGISTRY_DOWN, BROKER_RESTART }

    /**
     * One cycle of faults; the soak runs it whole {@code outageCycles} times at most, as long as a release has no outcome,
     * then waits for the outcomes without more faults.
     */
    static final List<Fault> CYCLE = List.of(Fault.KILL, Fault.KILL, Fault.POSTGRES_DOWN, Fault.KILL, Fault.REGISTRY_DOWN, Fault.KILL,
            Fault.BROKER_RESTART, Fault.KILL);

    /** The second executor's lease lapses 6 s after it stops (its health waits: 2 s, RunningSystem). */
    static final Map<String, String> SECOND_EXECUTOR = Map.of("executor.lease-ttl", "6s");

    @Test
    void releasesReachTheirOutcomeThroughKillsOutagesAndABrokerRestartWithNothingLostOrDoubled() throws Exception {
        soak(3, 1);
    }

    @Test
    @Tag("bench")
    void soakBench() throws Exception {
        soak(Integer.getInteger("soak.releases", 100), Integer.MAX_VALUE);
    }

    private void soak(int releases, int outageCycles) throws Exception {
        RunningSystem system = RunningSystem.get();
        SampleInstall.Installation sample = system.sample(SERVICE);
        Random random = new Random(Long.getLong("soak.seed", System.nanoTime()));
        List<TcpProxy> databases = ServiceProcess.SERVICES.stream().map(system::databaseRelay).toList();
        List<TcpProxy> registries = ServiceProcess.SERVICES.stream().map(system::registryRelay).toList();

        // every service reaches PostgreSQL and the registry through its relays (RunningSystem); a second instance of the
        // executor, the monitor and the notifier beside the system's
        List<ServiceProcess> seconds = new ArrayList<>();
        for (String name : List.of("executor-service", "monitor-service", "notifier-service")) {
            seconds.add(system.another(name, "soak-second").configure(name.equals("executor-service") ? SECOND_EXECUTOR : Map.of()));
        }
        ServiceProcess.startAll(seconds);
        List<ServiceProcess> all = new ArrayList<>(ServiceProcess.SERVICES.stream().map(system::service).toList());
        all.addAll(seconds);

        int actionsBefore = sample.actions().size();
        long started = System.nanoTime();
        Map<String, String> versions = new LinkedHashMap<>(); // releaseId -> version
        int minor = random.nextInt(1000);
        for (int i = 0; i < releases; i++) {
            versions.put("soak-" + UUID.randomUUID().toString().substring(0, 8), "9." + minor + "." + i);
        }
        Map<Fault, Integer> faults = new TreeMap<>();
        try (var reader = system.client.reader(List.of(Topics.DEPLOYMENT_PLANS, Topics.STEP_EVENTS, Topics.DEPLOYMENT_OUTCOMES))) {
            versions.forEach((releaseId, version) -> {
                system.client.publish(SampleEvents.releaseCandidate(releaseId, SERVICE, version));
                SampleEvents.passingGates(releaseId).forEach(system.client::publish);
            });
            System.out.printf("soak: %d releases of %s published; faults follow%n", releases, SERVICE);

            long deadline = System.nanoTime() + Duration.ofMinutes(4 + releases).toNanos();
            for (int f = 0; f < CYCLE.size() || !outcomes(reader, versions.keySet()).keySet().containsAll(versions.keySet()); f++) {
                if (System.nanoTime() > deadline) {
                    break;
                }
                if (f / CYCLE.size() >= outageCycles) {
                    LocalStack.pause(1_000); // the cycles are done: the releases finish without more faults
                    continue;
                }
                Fault fault = CYCLE.get(f % CYCLE.size());
                faults.merge(fault, 1, Integer::sum);
                long t0 = System.nanoTime();
                switch (fault) {
                    case KILL -> killAndRestart(all.get(random.nextInt(all.size())));
                    case POSTGRES_DOWN -> {
                        databases.forEach(TcpProxy::cut);
                        LocalStack.pause(20_000);
                        ServiceProcess victim = all.get(random.nextInt(all.size()));
                        victim.kill9(); // killed while the database is down, restarted when it is back
                        faults.merge(Fault.KILL, 1, Integer::sum);
                        LocalStack.pause(40_000);
                        databases.forEach(TcpProxy::restore);
                        victim.startLive(Map.of());
                    }
                    case REGISTRY_DOWN -> {
                        registries.forEach(TcpProxy::cut);
                        LocalStack.pause(30_000);
                        registries.forEach(TcpProxy::restore);
                    }
                    case BROKER_RESTART -> system.stack.restartKafka();
                }
                int done = outcomes(reader, versions.keySet()).size();
                System.out.printf("soak: %-14s in %5d ms; %d of %d releases have their outcome%n", fault, (System.nanoTime() - t0) / 1_000_000,
                        done, releases);
                LocalStack.pause(1_000);
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
                        .forEach(step -> deployAction(step, sample.deployTool()).ifPresent(a -> actionOf.put(step.getStepId(), a)));
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
            Map<String, Long> ran = sample.actions().subList(actionsBefore, sample.actions().size()).stream()
                    .filter(a -> a.startsWith("deploy ") && soakVersions.contains(a.substring(a.lastIndexOf(' ') + 1)))
                    .collect(Collectors.groupingBy(a -> a, TreeMap::new, Collectors.counting()));
            Map<String, Long> unannounced = new TreeMap<>();
            ran.forEach((action, n) -> {
                long extra = n - announced.getOrDefault(action, 0L);
                if (extra > 0) {
                    unannounced.put(action, extra);
                }
            });

            List<String> slack = system.receiver.bodies("/" + RunningSystem.SOAK_ROUTE);
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
            databases.forEach(TcpProxy::restore);
            registries.forEach(TcpProxy::restore);
            seconds.forEach(ServiceProcess::kill9);
            for (String name : ServiceProcess.SERVICES) {
                ServiceProcess first = system.service(name);
                if (!first.isAlive()) {
                    first.start(); // killed by a fault that did not restart it (the test failed in between)
                }
            }
        }
    }

    /** Kills the instance and starts it again (live is enough: a dependency may be down), as an orchestrator would. */
    private static void killAndRestart(ServiceProcess victim) {
        victim.kill9();
        LocalStack.pause(500);
        victim.startLive(Map.of());
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
