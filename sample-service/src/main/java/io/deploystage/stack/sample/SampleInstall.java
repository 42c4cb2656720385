package io.deploystage.stack.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.deploystage.stack.FreePorts;

/**
 * Installs the sample service's deploy tools ({@code sample-deploy}, {@code sample-traffic}) in a folder, with a free
 * port for each instance, and gives the environment the executor runs them with.
 */
public final class SampleInstall {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** An installation: where its tools, ports, state and logs are. */
    public record Installation(Path home, Map<String, Integer> ports) {

        public Path bin() {
            return home.resolve("bin");
        }

        public String deployTool() {
            return bin().resolve("sample-deploy").toString();
        }

        public String trafficTool() {
            return bin().resolve("sample-traffic").toString();
        }

        public int port(String instance) {
            Integer port = ports.get(instance);
            if (port == null) {
                throw new IllegalArgumentException("no instance " + instance + " in " + ports.keySet());
            }
            return port;
        }

        public String url(String instance, String path) {
            return "http://127.0.0.1:" + port(instance) + path;
        }

        /** The environment the tools need; the instances stop when {@code owner} is gone. */
        public Map<String, String> environment(long owner) {
            return SampleInstall.environment(owner);
        }

        /** The executor's configuration that passes that environment to every command step and allows this installation's tools. */
        public Map<String, String> executorConfig(long owner) {
            return SampleInstall.executorConfig(bin(), owner);
        }

        /** What the tools did, in order: "deploy production prod-1 1.1.0", "traffic prod-1 25". */
        public List<String> actions() {
            Path log = home.resolve("actions.log");
            try {
                return Files.exists(log) ? Files.readAllLines(log).stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList() : List.of();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The version an instance answers with on /health, or null when it does not answer. */
        public String runningVersion(String instance) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url(instance, "/health")))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                String[] words = response.body().trim().split(" ");
                return response.statusCode() == 200 && words.length == 3 ? words[2] : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        /** Runs the deploy tool itself (not through the executor): puts {@code version} on an instance. */
        public void deploy(String environment, String instance, String version, long owner) {
            try {
                ProcessBuilder builder = new ProcessBuilder(deployTool(), "--environment", environment, "--instance", instance, "--version",
                        version).redirectErrorStream(true);
                builder.environment().putAll(environment(owner));
                Process process = builder.start();
                String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (process.waitFor() != 0) {
                    throw new IllegalStateException("Deploying " + version + " to " + instance + " failed: " + output.trim());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Stops every instance this installation started. */
        public void stopAll() {
            Path state = home.resolve("state");
            if (!Files.isDirectory(state)) {
                return;
            }
            try (Stream<Path> dirs = Files.list(state)) {
                dirs.map(d -> d.resolve("pid")).filter(Files::exists).forEach(pidFile -> {
                    try {
                        long pid = Long.parseLong(Files.readString(pidFile).trim());
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                        Files.deleteIfExists(pidFile);
                    } catch (IOException | NumberFormatException e) {
                        // already gone
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private SampleInstall() {
    }

    /** The environment the tools of any installation need; the instances stop when {@code owner} is gone. */
    public static Map<String, String> environment(long owner) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SAMPLE_CP", classPath());
        env.put("SAMPLE_JAVA", ProcessHandle.current().info().command().orElse("java"));
        env.put("SAMPLE_OWNER_PID", Long.toString(owner));
        return env;
    }

    /**
     * The executor's configuration that passes that environment to every command step, confined to the tools under
     * {@code tools} (one installation's bin, or a folder of installations) and the system's own programs (false, true, … in tests).
     */
    public static Map<String, String> executorConfig(Path tools, long owner) {
        Map<String, String> config = new LinkedHashMap<>();
        environment(owner).forEach((name, value) -> config.put("executor.command.environment." + name, value));
        config.put("executor.command.allowed-paths", tools + ",/usr/bin,/bin");
        return config;
    }

    /** Installs the tools in {@code home}/bin and gives each instance a free port. */
    public static Installation install(Path home, List<String> instances) {
        try {
            Files.createDirectories(home.resolve("bin"));
            Files.createDirectories(home.resolve("ports"));
            for (String tool : List.of("sample-deploy", "sample-traffic", "sample-fence.sh")) {
                Path target = home.resolve("bin").resolve(tool);
                try (InputStream in = SampleInstall.class.getResourceAsStream("bin/" + tool)) {
                    if (in == null) {
                        throw new IllegalStateException("the sample tool " + tool + " is missing from the sample-service jar");
                    }
                    Files.write(target, in.readAllBytes());
                }
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (String instance : instances) {
                int port = FreePorts.next();
                ports.put(instance, port);
                Files.writeString(home.resolve("ports").resolve(instance), Integer.toString(port));
            }
            // a new installation: nothing of an earlier run's instances (their pid files, versions, stalls) carries over
            Files.deleteIfExists(home.resolve("actions.log"));
            for (String leftover : List.of("state", "stall", "traffic")) {
                deleteTree(home.resolve(leftover));
            }
            return new Installation(home, ports);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot install the sample tools in " + home, e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** Where the sample's classes are (the sample-service jar or classes folder). */
    static String classPath() {
        try {
            var source = SampleApp.class.getProtectionDomain().getCodeSource();
            if (source != null && "file".equals(source.getLocation().getProtocol())) {
                return Path.of(source.getLocation().toURI()).toString();
            }
        } catch (java.net.URISyntaxException | SecurityException e) {
            // fall back to the class path
        }
        return Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> entry.contains("sample-service")).findFirst()
                .orElseThrow(() -> new IllegalStateException("cannot find the sample-service classes"));
    }
}
