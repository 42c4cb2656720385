package io.deploystage.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One Deploy Stage service running as its own JVM, as in production, from its packaged quarkus-app. */
public final class ServiceProcess implements AutoCloseable {

    /**
     * How a service's JVM runs here: at most 192 MB of heap, but starting at 24 MB and given back when free (with the
     * default initial heap, 1/64 of this machine's memory, the whole 192 MB was committed from the start and counted in
     * RSS while the live set stays near 40 MB); the serial collector and the C1 compiler only (no GC or C2 threads to
     * feed on 2 cores); a smaller code cache than the default 240 MB reservation.
     */
    static final List<String> JVM_OPTIONS = List.of("-Xms24m", "-Xmx192m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20",
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=48m");

    /** The five services, in the order of the flow. */
    public static final List<String> SERVICES = List.of("gate-service", "planner-service", "executor-service", "monitor-service",
            "notifier-service");

    private final String name;
    private final Path root;
    private final Path logDir;
    private final Map<String, String> config;
    private final int port;
    private Process process;
    private long startMillis;

    private ServiceProcess(String name, Path root, Path logDir, Map<String, String> config, int port) {
        this.name = name;
        this.root = root;
        this.logDir = logDir;
        this.config = config;
        this.port = port;
    }

    /** Prepares a service against the stack, with its own database (named after it) and a free HTTP port. */
    public static ServiceProcess of(String name, LocalStack stack, Path logDir, int port) {
        Map<String, String> config = new LinkedHashMap<>(stack.serviceConfig(name.replace("-service", "")));
        return new ServiceProcess(name, projectRoot(), logDir, config, port > 0 ? port : FreePorts.next());
    }

    /** The operator console against the stack (no database): commands to {@code executorUrl}, plans from {@code plannerUrl}. */
    public static ServiceProcess console(LocalStack stack, Path logDir, int port, String executorUrl, String plannerUrl) {
        return new ServiceProcess("console-service", projectRoot(), logDir, new LinkedHashMap<>(stack.consoleConfig(executorUrl, plannerUrl)),
                port > 0 ? port : FreePorts.next());
    }

    /** Adds settings this service keeps across restarts (the one-off ones go to {@link #start(Map)}). */
    public ServiceProcess configure(Map<String, String> settings) {
        config.putAll(settings);
        return this;
    }

    /** Starts the JVM with extra settings (e.g. a fault hook) and waits until /q/health/ready answers UP. */
    public ServiceProcess start(Map<String, String> extra) {
        return start(extra, "/q/health/ready");
    }

    /** As {@link #start(Map)}, waiting only until the process is live (/q/health/live): while a dependency is down it is not ready. */
    public ServiceProcess startLive(Map<String, String> extra) {
        return start(extra, "/q/health/live");
    }

    private ServiceProcess start(Map<String, String> extra, String awaited) {
        return launch(extra).awaitUp(awaited);
    }

    /**
     * Starts the services' JVMs side by side and waits until each is ready: on two cores their start-ups overlap their
     * waits (class loading from disk, the broker's and the database's first answers), so all are up sooner than one by one.
     */
    public static void startAll(Collection<ServiceProcess> services) {
        startAll(services, Map.of());
    }

    /** As {@link #startAll(Collection)}, each with the same extra settings (as {@link #start(Map)}). */
    public static void startAll(Collection<ServiceProcess> services, Map<String, String> extra) {
        services.forEach(s -> s.launch(extra));
        services.forEach(s -> s.awaitUp("/q/health/ready"));
    }

    private long launchedAt;

    private ServiceProcess launch(Map<String, String> extra) {
        Path jar = root.resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./mvnw install -DskipTests)");
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.addAll(JVM_OPTIONS);
        // more JVM options for every service, to profile a benchmark say: -Ddeploystage.service-jvm-options="-XX:StartFlightRecording=..."
        String more = System.getProperty("deploystage.service-jvm-options", "").trim();
        if (!more.isEmpty()) {
            command.addAll(List.of(more.split("\\s+")));
        }
        Map<String, String> all = new LinkedHashMap<>(config);
        all.put("quarkus.http.port", Integer.toString(port));
        all.putAll(extra);
        all.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", jar.toString()));
        try {
            Files.createDirectories(logDir);
            launchedAt = System.nanoTime();
            process = TiedProcess.start(command, null, logDir.resolve(name + ".log"));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + name, e);
        }
    }

    private ServiceProcess awaitUp(String awaited) {
        TiedProcess.awaitHttpOk(process, baseUrl() + awaited, Duration.ofSeconds(90), name, logDir.resolve(name + ".log"));
        startMillis = LocalStack.millis(System.nanoTime() - launchedAt);
        return this;
    }

    public ServiceProcess start() {
        return start(Map.of());
    }

    /** kill -9: no shutdown hook, no flush, no goodbye. */
    public void kill9() {
        TiedProcess.kill9(process);
    }

    /** Waits for the process to die on its own (e.g. a fault hook that halts it). */
    public boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String name() {
        return name;
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    public long startMillis() {
        return startMillis;
    }

    /** The file its output goes to. */
    public Path log() {
        return logDir.resolve(name + ".log");
    }

    public long pid() {
        return TiedProcess.command(process).pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The checkout root: the nearest folder upwards that holds the services. */
    public static Path projectRoot() {
        String configured = System.getProperty("deploystage.root");
        if (configured != null) {
            return Path.of(configured);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("gate-service"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("Cannot find the Deploy Stage checkout above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            LocalStack.stop(process);
        }
    }

    /** Stops the services side by side: each one's graceful shutdown (its consumers leaving their groups) takes seconds. */
    public static void closeAll(Collection<ServiceProcess> services) {
        List<Thread> closing = new ArrayList<>();
        for (ServiceProcess service : services) {
            Thread thread = new Thread(service::close, "close-" + service.name());
            thread.start();
            closing.add(thread);
        }
        for (Thread thread : closing) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
