package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Topics;
import io.deploystage.stack.Await;
import io.deploystage.stack.SampleEvents;
import io.deploystage.stack.ServiceProcess;
import io.deploystage.stack.sample.SampleInstall;

/**
 * Two executor instances on one database and one consumer group, against the sample's real instances: each step of a
 * deployment runs once, on one instance (the one holding the deployment's lease); when that instance is killed (kill -9)
 * in the middle of a bake, the other takes the deployment over once the lease lapses and finishes it, and no deploy
 * command ran twice (the sample's deploy tool logs every call).
 */
@Isolated
class TwoExecutorsTest {

    /** The service the takeover tests release: the sample under its own name, with 4 s health waits (RunningSystem). */
    static final String SERVICE = "two-checkout";
    /** The service the rollback test releases: its bakes last 12 s (RunningSystem). */
    static final String BAKING_SERVICE = "two-baking-checkout";

    /** The second instance's lease: it lapses 6 s after its driver stops (the first keeps the system's). */
    static final Map<String, String> SETTINGS = Map.of("executor.lease-ttl", "6s");

    @Test
    void eachStepRunsOnceOnOneInstanceAndTheSurvivorTakesOverAfterAKill() throws Exception {
        RunningSystem system = RunningSystem.get();
        SampleInstall.Installation sample = system.sample(SERVICE);
        ServiceProcess first = system.service("executor-service");
        ServiceProcess second = second(system, SETTINGS);
        String releaseId = "two-" + UUID.randomUUID().toString().substring(0, 8);
        int actionsBefore = sample.actions().size();
        try (var reader = system.client.reader(List.of(Topics.STEP_EVENTS, Topics.DEPLOYMENT_OUTCOMES))) {
            system.client.publish(SampleEvents.releaseCandidate(releaseId, SERVICE, "2.5.0"));
            SampleEvents.passingGates(releaseId).forEach(system.client::publish);

            // the production bake at 25% is under way: kill the instance that drives it
            reader.awaitUntil(seen -> Trail.of(seen, releaseId, StepEvent.class).stream()
                    .anyMatch(s -> s.getStepId().equals("bake-25") && s.getStatus() == StepStatus.STARTED), Duration.ofSeconds(120), "bake-25 started");
            String driver = driver(system, releaseId);
            ServiceProcess driving = signs(driver, first) ? first : second;
            ServiceProcess survivor = driving == first ? second : first;
            long killedAt = System.currentTimeMillis();
            driving.kill9();

            reader.awaitUntil(seen -> Trail.of(seen, releaseId, DeploymentOutcome.class).stream().findAny().isPresent(), Duration.ofSeconds(120),
                    "the outcome, from the surviving instance");
            DeploymentOutcome outcome = Trail.of(reader.seen(), releaseId, DeploymentOutcome.class).get(0);
            assertEquals(DeploymentResult.DEPLOYED, outcome.getOutcome(), outcome.getReason());
            String after = driver(system, releaseId);
            assertTrue(signs(after, survivor),
                    "the survivor holds the lease: " + after + " (was " + driver + ")");

            List<StepEvent> events = Trail.of(reader.seen(), releaseId, StepEvent.class);
            StepEvent again = events.stream().filter(s -> s.getStepId().equals("bake-25") && s.getStatus() == StepStatus.STARTED)
                    .skip(1).findFirst().orElseThrow(() -> new AssertionError("bake-25 was not started again by the survivor: " + events));
            long startedAgainAt = reader.seen().stream().filter(r -> r.value() == again).mapToLong(r -> r.timestamp()).findFirst().orElseThrow();
            System.out.printf("takeover: bake-25 started again by the survivor %d ms after the kill (lease %s)%n", startedAgainAt - killedAt,
                    SETTINGS.get("executor.lease-ttl"));
            Map<String, Long> succeeded = events.stream().filter(s -> s.getStatus() == StepStatus.SUCCEEDED)
                    .collect(Collectors.groupingBy(StepEvent::getStepId, Collectors.counting()));
            assertTrue(succeeded.values().stream().allMatch(n -> n == 1), "every step succeeded once: " + succeeded);
            assertTrue(events.stream().filter(s -> s.getStatus() == StepStatus.STARTED && !s.getStepId().equals("bake-25"))
                    .collect(Collectors.groupingBy(StepEvent::getStepId, Collectors.counting())).values().stream().allMatch(n -> n == 1),
                    "no other step started twice: " + events.stream().map(s -> s.getStepId() + " " + s.getStatus()).toList());
            assertTrue(again.getStatus() == StepStatus.STARTED);

            List<String> deploys = sample.actions().subList(actionsBefore, sample.actions().size()).stream()
                    .filter(a -> a.startsWith("deploy ")).toList();
            assertEquals(List.of("deploy staging staging-1 2.5.0", "deploy production prod-1 2.5.0", "deploy production prod-2 2.5.0"), deploys,
                    "each deploy command ran once, in order");
        } finally {
            second.kill9();
            if (!first.isAlive()) {
                first.start(); // it drove the release and was killed
            }
        }
    }

    /**
     * An operator's rollback taken by the instance that does not drive the deployment: the driving instance hears of it
     * when it commits (a PostgreSQL notification), ends its waiting bake and starts the rollback procedure at once, not
     * at its next heartbeat (every 30 s with the 90 s lease here); the rollback returns the real instances to the
     * version they ran before.
     */
    @Test
    void aRollbackTakenByTheOtherInstanceEndsTheDriversBakeAtOnce() throws Exception {
        // bakes of 12 s and a heartbeat every 30 s: without the notification the driver would end its bake at the
        // bake's end or at its next heartbeat, seconds later
        Map<String, String> settings = Map.of("executor.lease-ttl", "90s");
        RunningSystem system = RunningSystem.get();
        SampleInstall.Installation sample = system.sample(BAKING_SERVICE);
        ServiceProcess first = system.service("executor-service");
        first.kill9();
        ServiceProcess second = system.another("executor-service", "second-executor");
        ServiceProcess.startAll(List.of(first, second), settings);
        String releaseId = "two-" + UUID.randomUUID().toString().substring(0, 8);
        String before = sample.runningVersion("prod-1");
        try (var reader = system.client.reader(List.of(Topics.STEP_EVENTS, Topics.DEPLOYMENT_OUTCOMES))) {
            system.client.publish(SampleEvents.releaseCandidate(releaseId, BAKING_SERVICE, "2.6.0"));
            SampleEvents.passingGates(releaseId).forEach(system.client::publish);
            reader.awaitUntil(seen -> Trail.of(seen, releaseId, StepEvent.class).stream()
                    .anyMatch(s -> s.getStepId().equals("bake-5") && s.getStatus() == StepStatus.STARTED), Duration.ofSeconds(240), "bake-5 started");
            String driver = driver(system, releaseId);
            ServiceProcess other = signs(driver, first) ? second : first;
            String deploymentId = Trail.of(reader.seen(), releaseId, StepEvent.class).get(0).getDeploymentId();

            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpRequest rollback = java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(other.baseUrl() + "/deployments/" + deploymentId + "/rollback"))
                    .header("Authorization", "Bearer " + system.stack.tokens().mint("olga", "operator"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build();
            long sentAt = System.currentTimeMillis();
            java.net.http.HttpResponse<String> response = http.send(rollback, java.net.http.HttpResponse.BodyHandlers.ofString());
            long answeredAt = System.currentTimeMillis(); // the command is committed before the answer
            assertEquals(202, response.statusCode(), response.body());

            reader.awaitUntil(seen -> Trail.of(seen, releaseId, DeploymentOutcome.class).stream().findAny().isPresent(), Duration.ofSeconds(120),
                    "the outcome");
            assertEquals(DeploymentResult.ROLLED_BACK, Trail.of(reader.seen(), releaseId, DeploymentOutcome.class).get(0).getOutcome());
            // the rollback's first step is begun by the driver (the other instance only recorded the command)
            StepEvent firstBack = Trail.of(reader.seen(), releaseId, StepEvent.class).stream()
                    .filter(s -> s.getRollback() && s.getStatus() == StepStatus.STARTED).findFirst().orElseThrow();
            long startedAt = reader.seen().stream().filter(r -> r.value() == firstBack).mapToLong(r -> r.timestamp()).findFirst().orElseThrow();
            System.out.printf("rollback taken by the other instance: the driver started %s %d ms after the command was sent, %d ms after it "
                    + "was answered (committed)%n", firstBack.getStepId(), startedAt - sentAt, startedAt - answeredAt);
            // neither the bake's end nor the next heartbeat (30 s after the lease was taken) ended the bake: the notification did
            StepEvent bake = Trail.of(reader.seen(), releaseId, StepEvent.class).stream()
                    .filter(s -> s.getStepId().equals("bake-5") && s.getStatus() == StepStatus.STARTED).findFirst().orElseThrow();
            long bakeStartedAt = reader.seen().stream().filter(r -> r.value() == bake).mapToLong(r -> r.timestamp()).findFirst().orElseThrow();
            assertTrue(startedAt < bakeStartedAt + 12_000, "the driver started the rollback " + (startedAt - answeredAt)
                    + " ms after the command was committed, before its 12 s bake would have ended");
            assertEquals(driver, driver(system, releaseId), "the same instance drove the rollback");
            assertEquals(before, sample.runningVersion("prod-1"), "prod-1 runs the version it ran before the release");
            assertEquals(before, sample.runningVersion("prod-2"), "prod-2 runs the version it ran before the release");
        } finally {
            second.kill9();
            first.kill9();
            first.start(); // the settings the other end-to-end tests use
        }
    }

    /**
     * A driver that stalls past its lease after it started a command, while the other instance takes the deployment
     * over and rolls it back: when the stale command reaches the instance at last, the instance refuses it by its
     * fencing token, so the rollback stands; the stale driver, woken, records nothing. The stall is real: the driving
     * executor's JVM is stopped (SIGSTOP) with its deploy command held before it reached prod-1 (the sample's stall
     * file). Without the fence, the stale command would put the new version back on prod-1 after the rollback.
     */
    @Test
    void aCommandFromADriverThatStalledPastItsLeaseIsRefusedByTheInstanceAfterTheTakeoversRollback() throws Exception {
        RunningSystem system = RunningSystem.get();
        SampleInstall.Installation sample = system.sample(SERVICE);
        ServiceProcess first = system.service("executor-service");
        ServiceProcess second = second(system, SETTINGS);
        String releaseId = "fence-" + UUID.randomUUID().toString().substring(0, 8);
        String before = sample.runningVersion("prod-1");
        Path stall = sample.home().resolve("stall").resolve("prod-1");
        Path taken = stall.resolveSibling("prod-1.taken");
        ServiceProcess stopped = null;
        boolean firstStopped = false;
        java.nio.file.Files.createDirectories(stall.getParent());
        java.nio.file.Files.writeString(stall, releaseId);
        try (var reader = system.client.reader(List.of(Topics.STEP_EVENTS, Topics.DEPLOYMENT_OUTCOMES))) {
            system.client.publish(SampleEvents.releaseCandidate(releaseId, SERVICE, "2.7.0"));
            SampleEvents.passingGates(releaseId).forEach(system.client::publish);

            // the canary's deploy command has started and is held before it reaches prod-1: stop its driver there
            Await.until(Duration.ofSeconds(240), "the canary's deploy command held at prod-1", () -> java.nio.file.Files.exists(taken));
            String driver = driver(system, releaseId);
            stopped = signs(driver, first) ? first : second;
            firstStopped = stopped == first;
            ServiceProcess survivor = stopped == first ? second : first;
            signal("STOP", stopped.pid());
            int actionsAtStop = sample.actions().size();

            // the survivor takes over once the lease lapses, runs the canary's deploy again (it is safe to re-run) and is told to roll back
            Await.until(Duration.ofSeconds(60), "the survivor deployed the canary",
                    () -> sample.actions().subList(actionsAtStop, sample.actions().size()).contains("deploy production prod-1 2.7.0")
                            && "2.7.0".equals(sample.runningVersion("prod-1")));
            assertTrue(signs(driver(system, releaseId), survivor), "the survivor holds the lease");
            reader.awaitUntil(seen -> !Trail.of(seen, releaseId, StepEvent.class).isEmpty(), Duration.ofSeconds(30), "a step event");
            String deploymentId = Trail.of(reader.seen(), releaseId, StepEvent.class).get(0).getDeploymentId();
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(survivor.baseUrl() + "/deployments/" + deploymentId + "/rollback"))
                    .header("Authorization", "Bearer " + system.stack.tokens().mint("olga", "operator"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(202, response.statusCode(), response.body());
            reader.awaitUntil(seen -> Trail.of(seen, releaseId, DeploymentOutcome.class).stream().findAny().isPresent(), Duration.ofSeconds(120),
                    "the rollback's outcome");
            assertEquals(DeploymentResult.ROLLED_BACK, Trail.of(reader.seen(), releaseId, DeploymentOutcome.class).get(0).getOutcome());
            assertEquals(before, sample.runningVersion("prod-1"), "the rollback put prod-1 back on " + before);

            // the stale command reaches prod-1 now: refused by its token; then its driver wakes
            int actionsBeforeStale = sample.actions().size();
            java.nio.file.Files.delete(taken);
            String refused = Await.until(Duration.ofSeconds(30), "the stale command's refusal", () -> sample.actions()
                    .subList(actionsBeforeStale, sample.actions().size()).stream().filter(a -> a.startsWith("refused prod-1 ")).findFirst()
                    .orElse(null), a -> a != null);
            String[] words = refused.split(" ");
            assertTrue(Long.parseLong(words[2]) < Long.parseLong(words[3]), "the stale token is below the rollback's: " + refused);
            assertEquals("deploy-canary", words[4], refused);
            Path woken = stopped.log();
            signal("CONT", stopped.pid());
            stopped = null;
            // the woken driver comes to its step's result, finds the deployment driven by the other, and writes nothing
            Await.until(Duration.ofSeconds(30), "the woken driver leaving deploy-canary's result to the other instance",
                    () -> java.nio.file.Files.readAllLines(woken).stream().anyMatch(line -> line.contains("Release " + releaseId + ":")
                            && line.contains("the result of step deploy-canary (FAILED) is left to it")));
            assertEquals(before, sample.runningVersion("prod-1"), "prod-1 still runs " + before + " after the stale driver woke");
            assertEquals(List.of(), sample.actions().subList(actionsBeforeStale, sample.actions().size()).stream()
                    .filter(a -> a.startsWith("deploy ") || a.startsWith("traffic ")).toList(), "nothing acted on an instance after the rollback");
            assertEquals(1, Trail.of(reader.seen(), releaseId, DeploymentOutcome.class).size(), "one outcome");
        } finally {
            java.nio.file.Files.deleteIfExists(stall);
            java.nio.file.Files.deleteIfExists(taken);
            if (stopped != null) {
                signal("CONT", stopped.pid());
            }
            second.kill9();
            if (firstStopped) {
                first.kill9(); // frozen past its lease: a fresh instance for the tests after this one
                first.start();
            }
        }
    }

    /** Whether a lease's signature (host:port) is this instance's. */
    private static boolean signs(String driver, ServiceProcess instance) {
        return driver.endsWith(":" + instance.baseUrl().substring(instance.baseUrl().lastIndexOf(':') + 1));
    }

    private static void signal(String signal, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor(), "kill -" + signal + " " + pid);
    }

    /** Starts a second executor beside the system's, configured as it is, on the same database and group. */
    private static ServiceProcess second(RunningSystem system, Map<String, String> settings) {
        return system.another("executor-service", "second-executor").start(settings);
    }

    /** The executor instance holding the deployment's lease (host:port), read from the executor's database. */
    private static String driver(RunningSystem system, String releaseId) throws SQLException {
        return Await.until(Duration.ofSeconds(30), "a driver for " + releaseId, () -> {
            try (Connection db = system.database("executor-service");
                    PreparedStatement query = db.prepareStatement("select driver from deployment where release_id = ?")) {
                query.setString(1, releaseId);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() ? rows.getString(1) : null;
                }
            }
        }, d -> d != null);
    }
}
