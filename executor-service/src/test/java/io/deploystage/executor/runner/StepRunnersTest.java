package io.deploystage.executor.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** The command and http-check runners against real processes and a real HTTP server on localhost. */
class StepRunnersTest {

    static final CommandRunner.Settings SETTINGS = new CommandRunner.Settings(Duration.ofSeconds(10), null, Map.of(), List.of(), 2_000);

    @Test
    void aCommandRunsAsArgvWithItsExitCodeAndOutputAndNeverThroughAShell() {
        StepResult ok = CommandRunner.run(List.of("echo", "deployed", "$(whoami)", ";", "reboot"), SETTINGS);
        assertTrue(ok.succeeded(), ok.detail());
        assertTrue(ok.detail().contains("deployed $(whoami) ; reboot"), "arguments reach the program as text: " + ok.detail());
        StepResult failed = CommandRunner.run(List.of("false"), SETTINGS);
        assertFalse(failed.succeeded());
        assertTrue(failed.detail().startsWith("exit code 1"), failed.detail());
        StepResult missing = CommandRunner.run(List.of("/nonexistent/deploy-tool"), SETTINGS);
        assertFalse(missing.succeeded());
        assertTrue(missing.detail().startsWith("cannot start"), missing.detail());
    }

    @Test
    void aCommandThatOverrunsItsTimeoutIsKilled() {
        StepResult result = CommandRunner.run(List.of("sleep", "30"),
                new CommandRunner.Settings(Duration.ofMillis(300), null, Map.of(), List.of(), 2_000));
        assertFalse(result.succeeded());
        assertTrue(result.detail().startsWith("timed out"), result.detail());
        assertTrue(result.duration().compareTo(Duration.ofSeconds(10)) < 0, "killed, not waited for: " + result.duration());
    }

    @Test
    void secretsAreMaskedAndLongOutputIsTruncatedToItsTail() {
        CommandRunner.Settings withSecret = new CommandRunner.Settings(Duration.ofSeconds(10), null,
                Map.of("DEPLOY_TOKEN", "tkn-8f3a9c1d77"), List.of("DEPLOY_TOKEN"), 2_000);
        StepResult env = CommandRunner.run(List.of("printenv", "DEPLOY_TOKEN"), withSecret);
        assertTrue(env.succeeded());
        assertFalse(env.detail().contains("tkn-8f3a9c1d77"), env.detail());
        assertTrue(env.detail().contains(SecretMask.MASK));
        StepResult printed = CommandRunner.run(List.of("echo", "login password=hunter2 Authorization: Bearer abc.def.ghi"), SETTINGS);
        assertFalse(printed.detail().contains("hunter2") || printed.detail().contains("abc.def.ghi"), printed.detail());
        StepResult chatty = CommandRunner.run(List.of("seq", "1", "200000"), SETTINGS);
        assertTrue(chatty.succeeded());
        assertTrue(chatty.detail().length() < 2_200, "truncated: " + chatty.detail().length());
        assertTrue(chatty.detail().endsWith("200000\n"), "the tail is kept");
    }

    @Test
    void aSmokeCheckOfAMetadataAddressIsRefusedBeforeAnyRequest() {
        StepResult metadata = HttpCheckRunner.run(new HttpCheckRunner.Check("GET", "http://169.254.169.254/latest/meta-data/iam/", 200, null), 3,
                Duration.ofMillis(10), Duration.ofSeconds(1));
        assertFalse(metadata.succeeded());
        assertTrue(metadata.detail().contains("is in the denied range 169.254.0.0/16"), metadata.detail());
        assertTrue(metadata.duration().toMillis() < 1_000, "refused at once, not tried three times");
    }

    @Test
    void aSmokeCheckStopsRetryingAtOnceWhenItIsNoLongerWanted() {
        java.util.concurrent.CompletableFuture<Void> rollback = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor().schedule(() -> rollback.complete(null), 300,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        long started = System.nanoTime();
        StepResult stopped = HttpCheckRunner.run(new HttpCheckRunner.Check("GET", "http://127.0.0.1:1/health", 200, null), 10, Duration.ofSeconds(2),
                Duration.ofSeconds(1), url -> null, rollback::isDone);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertFalse(stopped.succeeded());
        assertTrue(stopped.detail().startsWith("stopped: "), stopped.detail());
        assertTrue(millis < 1_500, "stopped within its back-off, not after 10 attempts: " + millis + " ms");
    }

    @Test
    void jsonAndYamlSecretsInOutputAreMasked() {
        String json = SecretMask.mask("{\"user\": \"deploy\", \"db_password\": \"hunter2\", \"apiKey\":\"k-123456\", \"token\": \"a\\\"b\"}", List.of());
        assertFalse(json.contains("hunter2") || json.contains("k-123456") || json.contains("a\\\"b"), json);
        assertTrue(json.contains("\"user\": \"deploy\""), "the rest is kept: " + json);
        String yaml = SecretMask.mask("registry:\n  username: deploy\n  client_secret: s3cr3t-value\n  privateKey: 'abc def'\n", List.of());
        assertFalse(yaml.contains("s3cr3t-value") || yaml.contains("abc def"), yaml);
        assertTrue(yaml.contains("username: deploy"), yaml);
    }

    @Test
    void aCommandGetsOnlyTheEnvironmentItIsGivenAndOnlyAllowedExecutables() throws IOException {
        CommandRunner.Settings settings = new CommandRunner.Settings(Duration.ofSeconds(10), null, Map.of("PATH", System.getenv("PATH"),
                "DEPLOY_REGION", "eu-1"), List.of(), 2_000);
        StepResult env = CommandRunner.run(List.of("env"), settings); // refused: a wrapper
        assertFalse(env.succeeded());
        assertTrue(env.detail().startsWith("refused: the command: 'env' runs another program"), env.detail());
        StepResult printed = CommandRunner.run(List.of("printenv"), settings);
        assertTrue(printed.succeeded(), printed.detail());
        assertTrue(printed.detail().contains("DEPLOY_REGION=eu-1"), printed.detail());
        assertFalse(printed.detail().contains("HOME=") || printed.detail().contains("JAVA_HOME"), "nothing of the executor's own: " + printed.detail());

        java.nio.file.Path tools = java.nio.file.Files.createTempDirectory("allowed-tools");
        java.nio.file.Path tool = java.nio.file.Files.createSymbolicLink(tools.resolve("deploy"), java.nio.file.Path.of("/bin/echo"));
        CommandRunner.Settings confined = new CommandRunner.Settings(Duration.ofSeconds(10), null, Map.of("PATH", System.getenv("PATH")), List.of(),
                2_000, List.of(tools));
        StepResult outside = CommandRunner.run(List.of("echo", "hi"), confined);
        assertFalse(outside.succeeded());
        assertTrue(outside.detail().contains("not under executor.command.allowed-paths"), outside.detail());
        StepResult escaped = CommandRunner.run(List.of(tool.toString(), "hi"), confined);
        assertFalse(escaped.succeeded(), "a link out of the directory is followed: " + escaped.detail());
        java.nio.file.Path own = tools.resolve("own-tool");
        java.nio.file.Files.copy(java.nio.file.Path.of("/bin/echo"), own);
        own.toFile().setExecutable(true);
        StepResult inside = CommandRunner.run(List.of(own.toString(), "deployed"), confined);
        assertTrue(inside.succeeded(), inside.detail());
    }

    @Test
    void aSmokeTestRetriesWithBackOffUntilTheExpectedStatusAndBody() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", exchange -> {
            byte[] body = "{\"status\":\"UP\",\"items\":3}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(calls.incrementAndGet() <= 2 ? 503 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
            StepResult passed = HttpCheckRunner.run(new HttpCheckRunner.Check("GET", url, 200, "items"), 5, Duration.ofMillis(20), Duration.ofSeconds(2));
            assertTrue(passed.succeeded(), passed.detail());
            assertEquals(3, calls.get(), "two failures, then success");
            assertTrue(passed.detail().endsWith("(attempt 3)"), passed.detail());
            StepResult wrongBody = HttpCheckRunner.run(new HttpCheckRunner.Check("GET", url, 200, "checkout"), 2, Duration.ofMillis(10),
                    Duration.ofSeconds(2));
            assertFalse(wrongBody.succeeded());
            assertTrue(wrongBody.detail().contains("does not contain \"checkout\""), wrongBody.detail());
        } finally {
            server.stop(0);
        }
        StepResult unreachable = HttpCheckRunner.run(new HttpCheckRunner.Check("GET", "http://127.0.0.1:1/health", 200, null), 2,
                Duration.ofMillis(10), Duration.ofSeconds(1));
        assertFalse(unreachable.succeeded());
        assertTrue(unreachable.detail().contains("failed after 2 attempts"), unreachable.detail());
    }
}
