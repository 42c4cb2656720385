package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.Topics;
import io.deploystage.stack.Await;

/**
 * The deploy-stage CLI as a CI script and an operator use it, run as its own process against the running system:
 * a release submitted and its three gates published from standard reports, the plan read as Markdown, the events
 * watched; and the exit codes of the failures a script must tell apart. Its cases run side by side (each starts a dozen
 * CLI processes and waits for them; each has its own release and files).
 */
@Execution(ExecutionMode.CONCURRENT)
class CliTest {

    /** The service this class releases: the sample installed as a second team's service. */
    static final String SERVICE = "cli-checkout";

    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {
    }

    static Run cli(Map<String, String> env, String... args) throws IOException, InterruptedException {
        // the command as the README gives it to a newcomer: the project's deploy-stage script (the CLI is built by now)
        List<String> command = new ArrayList<>(List.of(Path.of("..", "deploy-stage").toAbsolutePath().normalize().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        // output to files, so a CLI that hangs fails the test at the deadline instead of blocking a pipe read
        Path out = java.nio.file.Files.createTempFile("cli-out", ".txt");
        Path err = java.nio.file.Files.createTempFile("cli-err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the CLI did not end within 60 s: " + String.join(" ", args));
        }
        try {
            return new Run(process.exitValue(), java.nio.file.Files.readString(out, StandardCharsets.UTF_8),
                    java.nio.file.Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            java.nio.file.Files.deleteIfExists(out);
            java.nio.file.Files.deleteIfExists(err);
        }
    }

    static Map<String, String> env(RunningSystem system, String... roles) {
        return Map.of("DEPLOY_STAGE_GATE_URL", system.service("gate-service").baseUrl(),
                "DEPLOY_STAGE_KAFKA_USER", "watch",
                "DEPLOY_STAGE_KAFKA_PASSWORD", system.stack.kafkaPassword("watch"),
                "DEPLOY_STAGE_PLANNER_URL", system.service("planner-service").baseUrl(),
                "DEPLOY_STAGE_EXECUTOR_URL", system.service("executor-service").baseUrl(),
                "DEPLOY_STAGE_KAFKA", system.stack.kafkaBootstrapServers(),
                "DEPLOY_STAGE_REGISTRY", system.stack.registryUrl(),
                "DEPLOY_STAGE_REGISTRY_USER", system.stack.registryReader().getKey(),
                "DEPLOY_STAGE_REGISTRY_PASSWORD", system.stack.registryReader().getValue(),
                "DEPLOY_STAGE_TOKEN", system.stack.tokens().mint("ci-bot", roles));
    }

    @Test
    void aCiScriptSubmitsAReleaseAndPublishesItsGatesFromStandardReports() throws Exception {
        RunningSystem system = RunningSystem.get();
        system.sample(SERVICE);
        Map<String, String> ci = env(system, "ci");
        String release = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        Path junit = Files.writeString(dir.resolve("TEST-checkout.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite name="checkout" tests="2" failures="0" errors="0" skipped="0">
                  <testcase classname="CartTest" name="addsItems" time="0.01"/>
                  <testcase classname="CartTest" name="totals" time="0.02"/>
                </testsuite>
                """);
        Path sarif = Files.writeString(dir.resolve("codeql.sarif"), """
                {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                 "runs": [{"tool": {"driver": {"name": "CodeQL"}}, "results": []}]}
                """);
        Path review = Files.writeString(dir.resolve("review.json"), "{\"stage\": \"REVIEW\", \"verdict\": \"PASS\"}");

        try (var reader = system.client.reader(List.of(Topics.GATE_DECISIONS))) {
            Run submitted = cli(ci, "release", "submit", "-r", release, "-s", SERVICE, "-v", "1.5.0", "--commit", "0a1b2c3d4e5f", "--user-facing");
            assertEquals(0, submitted.exitCode(), submitted.err());
            for (Path report : List.of(junit, sarif, review)) {
                Run published = cli(ci, "gate", "publish", "-r", release, report.toString());
                assertEquals(0, published.exitCode(), report + ": " + published.err());
            }
            reader.awaitUntil(seen -> Trail.of(seen, release, GateDecision.class).stream().anyMatch(d -> d.getOutcome() == GateOutcome.CLEARED),
                    Duration.ofSeconds(60), "CLEARED");
        }
        Run plan = Await.until(Duration.ofSeconds(30), "the plan of " + release, () -> cli(env(system, "operator"), "plan", "show", release),
                shown -> shown.exitCode() == 0);
        assertTrue(plan.out().startsWith("# Deployment Checklist: " + SERVICE + " 1.5.0"), plan.out());

        Run watched = cli(ci, "watch", release, "--from-beginning", "--no-color", "--until", "DeploymentPlan", "--for", "PT45S");
        assertEquals(0, watched.exitCode(), watched.err());
        assertTrue(watched.out().contains("GateDecision") && watched.out().contains("CLEARED") && watched.out().contains("DeploymentPlan"),
                watched.out());
        assertTrue(watched.out().lines().allMatch(l -> l.endsWith("[" + release + "]")), "only this release's events");

        // the same through the operator console's event stream: a token and the console's URL, no Kafka settings at all
        Map<String, String> viaConsole = Map.of("DEPLOY_STAGE_CONSOLE_URL", system.console().baseUrl(),
                "DEPLOY_STAGE_TOKEN", system.stack.tokens().mint("viewer", "viewer"));
        Run streamed = cli(viaConsole, "watch", release, "--from-beginning", "--no-color", "--until", "DeploymentPlan", "--for", "PT45S");
        assertEquals(0, streamed.exitCode(), streamed.err());
        assertTrue(streamed.out().contains("GateDecision") && streamed.out().contains("CLEARED") && streamed.out().contains("DeploymentPlan"),
                streamed.out());
        assertTrue(streamed.out().lines().allMatch(l -> l.endsWith("[" + release + "]")), "only this release's events: " + streamed.out());
        // the console runs here with JSON log lines: each is one object with its level and message, the follower named
        List<com.fasterxml.jackson.databind.JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("target", "e2e", "logs", "console-service.log"))) {
            if (line.startsWith("{")) {
                lines.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line));
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.path("level").asText().equals("INFO") && l.path("message").asText().equals("Console: viewer follows release " + release)),
                "a JSON log line for the follower: " + lines.stream().map(Object::toString).limit(5).toList());
        // the console's commands take the role the executor would ask for: a viewer is refused before anything is sent
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String abort = system.console().baseUrl() + "/api/deployments/" + UUID.randomUUID() + "/abort";
        assertEquals(403, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(abort)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + viaConsole.get("DEPLOY_STAGE_TOKEN")).POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode(), "a viewer may not abort");
        assertEquals(401, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(abort)).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode(),
                "no token, no command");
        // a release id that is not one (a line break in it would forge the console's log line) is refused
        assertEquals(400, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(system.console().baseUrl() + "/api/events?release=a%0Ab"))
                .header("Authorization", "Bearer " + viaConsole.get("DEPLOY_STAGE_TOKEN")).build(), java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode(), "a release id with a line break");
        Run refused = cli(Map.of("DEPLOY_STAGE_CONSOLE_URL", system.console().baseUrl(), "DEPLOY_STAGE_TOKEN", "not-a-token"), "watch", "--for", "PT5S");
        assertEquals(4, refused.exitCode(), "exit code 4 (not allowed): " + refused.err());
    }

    @Test
    void operatorsListWhatIsThereAndReadAReleasesStatusAsATableOrAsJson() throws Exception {
        RunningSystem system = RunningSystem.get();
        Map<String, String> ci = env(system, "ci");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String release = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        Run submitted = cli(ci, "release", "submit", "-r", release, "-s", SERVICE, "-v", "1.6.0", "--commit", "0a1b2c3d4e5f");
        assertEquals(0, submitted.exitCode(), submitted.err());

        Run releases = cli(ci, "list", "releases", "--output", "json");
        assertEquals(0, releases.exitCode(), releases.err());
        var row = java.util.stream.StreamSupport.stream(json.readTree(releases.out()).spliterator(), false)
                .filter(r -> release.equals(r.path("releaseId").asText())).findFirst().orElseThrow(() -> new AssertionError(releases.out()));
        assertEquals(SERVICE, row.path("service").asText());
        assertEquals("1.6.0", row.path("version").asText());
        Run table = cli(ci, "list", "releases", "--service", SERVICE);
        assertEquals(0, table.exitCode(), table.err());
        assertTrue(table.out().startsWith("RELEASE"), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith(release + " ") && l.contains(SERVICE) && l.contains("1.6.0")), table.out());

        // no gate has reported: the status says WAITING with each missing gate, no plan and no deployment yet
        Run status = cli(ci, "status", release);
        assertEquals(0, status.exitCode(), status.err());
        assertTrue(status.out().startsWith("release " + release + ": " + SERVICE + " 1.6.0, requested by ci-bot"), status.out());
        assertTrue(status.out().contains("gate: WAITING"), status.out());
        assertTrue(status.out().contains("plan: none yet") && status.out().contains("deployments:\n  none yet"), status.out());
        Run statusJson = cli(ci, "status", release, "-o", "json");
        assertEquals(0, statusJson.exitCode(), statusJson.err());
        var parsed = json.readTree(statusJson.out());
        assertEquals("WAITING", parsed.path("gate").path("outcome").asText());
        assertTrue(parsed.path("plan").isNull() && parsed.path("deployments").isArray() && parsed.path("deployments").isEmpty(), statusJson.out());
        assertEquals(5, cli(ci, "status", "cli-unknown-" + release).exitCode(), "an unknown release is not found");

        Run deployments = cli(ci, "list", "deployments", "-o", "json");
        assertEquals(0, deployments.exitCode(), deployments.err());
        assertTrue(json.readTree(deployments.out()).isArray(), deployments.out());
        Run flags = cli(ci, "list", "flags");
        assertEquals(0, flags.exitCode(), flags.err());
        assertTrue(flags.out().startsWith("FLAG"), flags.out());
        Run wrong = cli(ci, "list", "everything");
        assertEquals(2, wrong.exitCode(), "bad usage");
        assertTrue(wrong.err().contains("use releases, deployments or flags"), wrong.err());

        for (String group : List.of("gate", "release", "plan", "flag", "list", "status")) {
            Run help = cli(ci, group, "--help");
            assertEquals(0, help.exitCode(), group + " --help: " + help.err());
            assertTrue(help.out().startsWith("Usage: deploy-stage " + group), help.out());
        }
        Run completion = cli(ci, "generate-completion");
        assertEquals(0, completion.exitCode(), completion.err());
        assertTrue(completion.out().contains("complete -F") && completion.out().contains("status") && completion.out().contains("list"),
                "a bash/zsh completion script");
    }

    @Test
    void failuresHaveExitCodesAScriptCanTellApart() throws Exception {
        RunningSystem system = RunningSystem.get();
        Path broken = Files.writeString(dir.resolve("TEST-broken.xml"), "<testsuite name=\"x\" tests=\"1\"><testcase name=");
        Run rejected = cli(env(system, "ci"), "gate", "publish", "-r", "cli-bad", "--format", "junit", broken.toString());
        assertEquals(1, rejected.exitCode(), "the gate refuses a report it cannot read: " + rejected.err());
        assertTrue(rejected.err().contains("rejected (HTTP 400)"), rejected.err());

        Run noRole = cli(env(system, "operator"), "approve", UUID.randomUUID().toString());
        assertEquals(4, noRole.exitCode(), "approve needs role approver: " + noRole.err());

        Run unknown = cli(env(system, "operator"), "pause", UUID.randomUUID().toString());
        assertEquals(5, unknown.exitCode(), unknown.err());

        Map<String, String> nowhere = new java.util.HashMap<>(env(system, "ci"));
        nowhere.put("DEPLOY_STAGE_GATE_URL", "http://127.0.0.1:1");
        Path review = Files.writeString(dir.resolve("review.json"), "{\"stage\": \"REVIEW\", \"verdict\": \"PASS\"}");
        Run unreachable = cli(nowhere, "gate", "publish", "-r", "cli-x", review.toString());
        assertEquals(3, unreachable.exitCode(), unreachable.err());
        assertTrue(unreachable.err().contains("cannot reach http://127.0.0.1:1"), unreachable.err());

        Run usage = cli(env(system, "ci"), "gate", "publish", "-r", "cli-x", dir.resolve("missing.xml").toString());
        assertEquals(2, usage.exitCode(), usage.err());

        Run notInTime = cli(Map.of("DEPLOY_STAGE_CONSOLE_URL", system.console().baseUrl(), "DEPLOY_STAGE_TOKEN",
                system.stack.tokens().mint("viewer", "viewer")), "watch", "cli-none-" + UUID.randomUUID(), "--until", "DeploymentOutcome",
                "--for", "PT2S");
        assertEquals(7, notInTime.exitCode(), "the awaited outcome did not come in time: " + notInTime.err());
        assertTrue(notInTime.err().contains("no DeploymentOutcome within PT2S"), notInTime.err());

        Run kill = cli(env(system, "operator"), "flag", "kill", "cli-test-flag");
        assertEquals(0, kill.exitCode(), kill.err());
        assertTrue(kill.out().contains("\"killed\":true"), kill.out());
    }
}
