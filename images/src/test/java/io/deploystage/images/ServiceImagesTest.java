package io.deploystage.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.deploystage.stack.FreePorts;
import io.deploystage.stack.LocalStack;
import io.deploystage.stack.TiedProcess;

/**
 * The container images the build made with Jib (the "images" profile), as podman's local storage holds them: each is
 * the image this build wrote (its id is the one Jib recorded in the module's target/), configured as the Helm chart
 * runs it; and the gate's image, run from its own file system (chroot into the unpacked image, its entrypoint, its
 * JRE, user 10001) against the real local stack, becomes ready and answers an authenticated call. No container runtime
 * runs here (the sandbox refuses the runtime's rlimits), so the image is run the way a runtime would start it without
 * the isolation.
 */
class ServiceImagesTest {

    private static final List<String> IMAGES = List.of("gate-service", "planner-service", "executor-service", "monitor-service",
            "notifier-service", "console-service");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of(System.getProperty("deploystage.root", "..")).toAbsolutePath().normalize();

    @Test
    void eachServiceHasTheImageThisBuildMadeConfiguredAsTheChartRunsIt() throws IOException {
        for (String name : IMAGES) {
            JsonNode image = inspect(name);
            String builtId = Files.readString(ROOT.resolve(name).resolve("target/jib-image.id")).trim();
            assertEquals(builtId, "sha256:" + image.path("Id").asText(), name + ": podman holds another image than this build's");
            JsonNode config = image.path("Config");
            assertEquals("10001", config.path("User").asText(), name + ": not the chart's user");
            assertEquals("/deployments", config.path("WorkingDir").asText(), name);
            List<String> entrypoint = strings(config.path("Entrypoint"));
            assertEquals("java", entrypoint.get(0), name + ": " + entrypoint);
            assertEquals(List.of("-jar", "quarkus-run.jar"), entrypoint.subList(entrypoint.size() - 2, entrypoint.size()), name);
            assertTrue(config.path("ExposedPorts").has("8080/tcp"), name + " exposes " + config.path("ExposedPorts"));
            assertTrue(strings(config.path("Env")).contains("QUARKUS_HTTP_PORT=8080"), name + ": " + config.path("Env"));
            // the base (JRE) and the application's own layers, least changed first
            assertTrue(image.path("RootFS").path("Layers").size() >= 4, name + ": " + image.path("RootFS").path("Layers"));
        }
    }

    @Test
    void theGatesImageRunsFromItsOwnFileSystemAgainstTheRealStack() throws Exception {
        Path work = Path.of("target", "image-run").toAbsolutePath();
        try (LocalStack stack = LocalStack.start(work.resolve("stack"), LocalStack.Options.forTests(), List.of())) {
            JsonNode image = inspect("gate-service");
            String container = podman("create", "--name", "image-test-" + ProcessHandle.current().pid(), reference("gate-service")).trim();
            Path proc = null;
            Process service = null;
            try {
                Path rootfs = Path.of(podman("mount", container).trim());
                assertTrue(Files.isRegularFile(rootfs.resolve("deployments/quarkus-run.jar")), "the application is not in the image");
                // the stack's settings, as a file in the working directory's config/ (a ConfigMap mounted there does the same)
                Properties settings = new Properties();
                settings.putAll(stack.serviceConfig("gate"));
                Path config = rootfs.resolve("deployments/config/application.properties");
                Files.createDirectories(config.getParent());
                try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
                    settings.store(out, "test settings");
                }
                proc = rootfs.resolve("proc");
                run(List.of("mount", "-t", "proc", "proc", proc.toString()));

                int port = FreePorts.next();
                JsonNode cfg = image.path("Config");
                List<String> command = new ArrayList<>(List.of("chroot", "--userspec=" + cfg.path("User").asText() + ":" + cfg.path("User").asText(),
                        rootfs.toString(), "/usr/bin/env", "-i"));
                command.addAll(strings(cfg.path("Env")));
                command.add("QUARKUS_HTTP_PORT=" + port); // as "-e" would: the host's network is shared here
                command.addAll(List.of("/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", cfg.path("WorkingDir").asText()));
                command.addAll(strings(cfg.path("Entrypoint")));
                Path log = work.resolve("gate-service-image.log");
                service = TiedProcess.start(command, null, log);
                String base = "http://localhost:" + port;
                TiedProcess.awaitHttpOk(service, base + "/q/health/ready", Duration.ofSeconds(120), "gate-service (image)", log);

                ProcessHandle jvm = TiedProcess.command(service);
                assertEquals(rootfs.resolve("usr/lib/jvm").toRealPath(), Path.of("/proc/" + jvm.pid() + "/root/usr/lib/jvm").toRealPath(),
                        "the service does not run in the image's file system");
                assertTrue(Files.readString(Path.of("/proc/" + jvm.pid() + "/status")).lines()
                        .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("10001")), "not running as user 10001");

                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + "/releases")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(401, anonymous.statusCode(), anonymous.body());
                HttpResponse<String> listed = http.send(HttpRequest.newBuilder(URI.create(base + "/releases"))
                        .header("Authorization", "Bearer " + stack.tokens().mint("olga", "operator")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, listed.statusCode(), listed.body());
                // a release submitted to it goes out on Kafka (outbox, registry) and comes back recorded from the topic
                String releaseId = "image-" + java.util.UUID.randomUUID();
                HttpResponse<String> submitted = http.send(HttpRequest.newBuilder(URI.create(base + "/releases"))
                        .header("Authorization", "Bearer " + stack.tokens().mint("ci-bot", "ci")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("""
                                {"releaseId": "%s", "service": "checkout", "version": "1.1.0", "commitSha": "0123456789abcdef",
                                 "artifact": "checkout:1.1.0", "requiredGates": ["REVIEW", "TEST", "SECURITY"]}""".formatted(releaseId)))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(202, submitted.statusCode(), submitted.body());
                HttpRequest status = HttpRequest.newBuilder(URI.create(base + "/releases/" + releaseId + "/gate"))
                        .header("Authorization", "Bearer " + stack.tokens().mint("olga", "operator")).build();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                HttpResponse<String> recorded = http.send(status, HttpResponse.BodyHandlers.ofString());
                while (recorded.statusCode() != 200 && System.nanoTime() < deadline) {
                    Thread.sleep(250);
                    recorded = http.send(status, HttpResponse.BodyHandlers.ofString());
                }
                assertEquals(200, recorded.statusCode(), "the submitted release was not recorded: " + recorded.body());
                assertTrue(recorded.body().contains("WAITING"), recorded.body());
                assertTrue(Files.readString(log).contains("Installed features"), "no Quarkus start line in " + log);
            } finally {
                if (service != null) {
                    LocalStack.stop(service);
                }
                if (proc != null) {
                    run(List.of("umount", proc.toString()));
                }
                podman("umount", container);
                podman("rm", "--force", container);
            }
        }
    }

    private static String reference(String name) {
        return "localhost/" + System.getProperty("deploystage.image-group", "deploy-stage") + "/" + name + ":"
                + System.getProperty("deploystage.project-version");
    }

    private static JsonNode inspect(String name) throws IOException {
        JsonNode all = JSON.readTree(podman("image", "inspect", reference(name)));
        assertEquals(1, all.size(), name);
        return all.get(0);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String podman(String... args) {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        return run(command);
    }

    /** Runs a command to its end; its output, or an AssertionError with what it said. */
    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0) + " (is it installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
