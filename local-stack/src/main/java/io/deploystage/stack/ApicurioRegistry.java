package io.deploystage.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Apicurio Registry 3.x, unpacked by the build, run as a child JVM on free ports. It needs JDK 21 or newer:
 * {@code DEPLOYSTAGE_REGISTRY_JAVA} (a java binary or a JDK folder), else JAVA_HOME, else a JDK under /usr/lib/jvm.
 * {@code DEPLOYSTAGE_REGISTRY_URL} points at a registry that is already running instead.
 */
public final class ApicurioRegistry implements AutoCloseable {

    public static final String JAVA_OVERRIDE = "DEPLOYSTAGE_REGISTRY_JAVA";
    public static final String URL_OVERRIDE = "DEPLOYSTAGE_REGISTRY_URL";
    private static final int MIN_JAVA = 21;

    private final String apiUrl;
    private final Process process;

    private ApicurioRegistry(String apiUrl, Process process) {
        this.apiUrl = apiUrl;
        this.process = process;
    }

    /** A registry account: HTTP basic login with one of Apicurio's roles (sr-readonly, sr-developer, sr-admin). */
    public record User(String name, String password, String role) {
    }

    /**
     * Starts the registry; {@code storageFile} keeps its H2 data across restarts when given. Every call takes one of
     * the {@code users}' logins (HTTP basic): registering a schema one with sr-developer or sr-admin, reading one any
     * (role-based authorization; sr-readonly only reads).
     */
    public static ApicurioRegistry start(Path workDir, int httpPort, Path storageFile, List<User> users) {
        String external = System.getenv(URL_OVERRIDE);
        if (external != null && !external.isBlank()) {
            return new ApicurioRegistry(external, null);
        }
        Path home = home();
        Path java = findJava();
        int port = httpPort > 0 ? httpPort : FreePorts.next();
        int managementPort = FreePorts.next();
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.management.host=127.0.0.1",
                "-Dquarkus.log.level=WARN"));
        if (storageFile != null) {
            command.add("-Dapicurio.datasource.url=jdbc:h2:file:" + storageFile.toAbsolutePath());
        }
        command.addAll(List.of("-jar", home.resolve("quarkus-run.jar").toString()));
        try {
            Files.createDirectories(workDir);
            writeAuthConfig(workDir, users);
            Process process = TiedProcess.start(command, workDir, workDir.resolve("apicurio-registry.log"));
            ApicurioRegistry registry = new ApicurioRegistry("http://localhost:" + port + "/apis/registry/v3", process);
            registry.awaitReady("http://127.0.0.1:" + managementPort + "/health/ready", Duration.ofSeconds(90), workDir);
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start Apicurio Registry", e);
        }
    }

    /**
     * Authentication settings in config/application.properties of the registry's working folder (read by Quarkus at
     * start; readable by this user only, so the passwords are on no command line).
     */
    private static void writeAuthConfig(Path workDir, List<User> users) throws IOException {
        Properties auth = new Properties();
        auth.setProperty("quarkus.http.auth.basic", "true");
        auth.setProperty("apicurio.authn.mechanism.priority", "basic");
        auth.setProperty("apicurio.auth.role-based-authorization", "true");
        auth.setProperty("apicurio.auth.anonymous-read-access.enabled", "false");
        auth.setProperty("quarkus.security.users.embedded.plain-text", "true");
        for (User user : users) {
            auth.setProperty("quarkus.security.users.embedded.users." + user.name(), user.password());
            auth.setProperty("quarkus.security.users.embedded.roles." + user.name(), user.role());
        }
        Path config = workDir.resolve("config").resolve("application.properties");
        Files.createDirectories(config.getParent());
        Files.deleteIfExists(config);
        Files.createFile(config, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        try (java.io.Writer out = Files.newBufferedWriter(config)) {
            auth.store(out, "Deploy Stage: who may write to this registry");
        }
    }

    /** The v3 API base URL, e.g. http://localhost:8081/apis/registry/v3. */
    public String apiUrl() {
        return apiUrl;
    }

    public Process process() {
        return process;
    }

    private void awaitReady(String healthUrl, Duration timeout, Path workDir) {
        TiedProcess.awaitHttpOk(process, healthUrl, timeout, "Apicurio Registry", workDir.resolve("apicurio-registry.log"));
    }

    /** Where the build unpacked the registry (local-stack/target/apicurio-registry). */
    static Path home() {
        Properties props = new Properties();
        try (InputStream in = ApicurioRegistry.class.getResourceAsStream("/local-stack.properties")) {
            props.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("local-stack.properties is missing: build the local-stack module first", e);
        }
        Path home = Path.of(props.getProperty("apicurio.home"));
        if (!Files.exists(home.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException("Apicurio Registry is not unpacked in " + home + ": run ./mvnw -pl local-stack generate-resources");
        }
        return home;
    }

    /** A java binary of version 21 or newer, or a clear error saying how to provide one. */
    static Path findJava() {
        String override = System.getenv(JAVA_OVERRIDE);
        if (override != null && !override.isBlank()) {
            Path path = Path.of(override);
            Path java = Files.isDirectory(path) ? path.resolve("bin/java") : path;
            if (!Files.isExecutable(java)) {
                throw new IllegalStateException(JAVA_OVERRIDE + "=" + override + " is not a java binary or a JDK folder");
            }
            return java;
        }
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(System.getenv("JAVA_HOME")).map(Path::of).ifPresent(candidates::add);
        ProcessHandle.current().info().command().map(c -> Path.of(c).getParent().getParent()).ifPresent(candidates::add);
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> dirs = Files.list(jvms)) {
                dirs.sorted(Comparator.comparingInt(ApicurioRegistry::featureVersion).reversed()).forEach(candidates::add);
            } catch (IOException ignored) {
                // no JDK folder to scan
            }
        }
        return candidates.stream()
                .filter(home -> featureVersion(home) >= MIN_JAVA && Files.isExecutable(home.resolve("bin/java")))
                .map(home -> home.resolve("bin/java"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("Apicurio Registry needs Java " + MIN_JAVA + "+ and none was found "
                        + "(JAVA_HOME, the running JVM, /usr/lib/jvm). Install one (e.g. apt-get install openjdk-21-jdk-headless or a "
                        + "Temurin JDK) or set " + JAVA_OVERRIDE + " to its java binary."));
    }

    /** The feature version from a JDK's release file (JAVA_VERSION="25.0.1" gives 25), or 0. */
    static int featureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isReadable(release)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(release)) {
            return lines.filter(l -> l.startsWith("JAVA_VERSION="))
                    .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", ""))
                    .map(v -> v.startsWith("1.") ? v.substring(2) : v)
                    .map(v -> v.split("[.+-]")[0])
                    .mapToInt(Integer::parseInt)
                    .findFirst().orElse(0);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        if (process != null) {
            LocalStack.stop(process);
        }
    }
}
