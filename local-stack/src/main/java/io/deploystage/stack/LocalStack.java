package io.deploystage.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import io.deploystage.events.Topics;

/**
 * The real components every service needs, without Docker: a Kafka broker (KRaft), PostgreSQL with a database
 * per service, and Apicurio Registry. Started in dependency order, stopped in reverse.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LocalStack.class.getName());

    /** Where the broker runs: inside this JVM (tests) or as a child JVM (local runs). */
    public enum KafkaMode { IN_PROCESS, CHILD_PROCESS }

    /** Fixed ports and persistence for a local run; tests use free ports and throw-away data. */
    public record Options(KafkaMode kafkaMode, boolean persistent, int kafkaPort, int postgresPort, int registryPort) {
        public static Options forTests() {
            return new Options(KafkaMode.IN_PROCESS, false, 0, 0, 0);
        }
    }

    /** How long a component took to start, and its process when it has one of its own. */
    public record Started(String component, long millis, ProcessHandle process) {
    }

    private final KafkaBroker kafka;
    private final Postgres postgres;
    private final ApicurioRegistry registry;
    private final List<Started> started;
    private final DevTokens tokens = new DevTokens();

    private LocalStack(KafkaBroker kafka, Postgres postgres, ApicurioRegistry registry, List<Started> started) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.registry = registry;
        this.started = started;
    }

    public static LocalStack start(Path workDir, Options options, List<String> databases) {
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create " + workDir, e);
        }
        long t0 = System.nanoTime();
        Postgres postgres = Postgres.start(options.persistent() ? workDir.resolve("postgres") : null, options.postgresPort());
        databases.forEach(postgres::ensureDatabase);
        long t1 = System.nanoTime();
        ApicurioRegistry registry = null;
        KafkaBroker kafka = null;
        try {
            registry = ApicurioRegistry.start(workDir.resolve("apicurio"), options.registryPort(),
                    options.persistent() ? workDir.resolve("apicurio/registry-db") : null);
            long t2 = System.nanoTime();
            Path kafkaDir = workDir.resolve("kafka");
            if (!options.persistent()) {
                deleteRecursively(kafkaDir);
            }
            kafka = options.kafkaMode() == KafkaMode.IN_PROCESS
                    ? KafkaBroker.startInProcess(kafkaDir)
                    : KafkaBroker.startChildProcess(kafkaDir, options.kafkaPort() > 0 ? options.kafkaPort() : FreePorts.next());
            createTopics(kafka.bootstrapServers());
            long t3 = System.nanoTime();
            List<Started> started = List.of(
                    new Started("postgresql", millis(t1 - t0), null),
                    new Started("apicurio-registry", millis(t2 - t1), registry.process() == null ? null : TiedProcess.command(registry.process())),
                    new Started("kafka", millis(t3 - t2), kafka.process() == null ? null : TiedProcess.command(kafka.process())));
            LOG.info(() -> "Local stack up: " + started.stream().map(s -> s.component() + " " + s.millis() + " ms").toList());
            return new LocalStack(kafka, postgres, registry, started);
        } catch (RuntimeException e) {
            if (kafka != null) {
                kafka.close();
            }
            if (registry != null) {
                registry.close();
            }
            postgres.close();
            throw e;
        }
    }

    /**
     * Creates every event topic and its dead-letter topic up front (3 partitions), so the first release does not
     * wait for consumers to discover auto-created topics.
     */
    static void createTopics(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = Topics.all().stream()
                    .flatMap(t -> java.util.stream.Stream.of(t, Topics.deadLetterOf(t)))
                    .filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, 3, (short) 1))
                    .toList();
            admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Cannot create the topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The configuration a Deploy Stage service needs to run against this stack with its own database. */
    public Map<String, String> serviceConfig(String database) {
        postgres.ensureDatabase(database);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        config.put("deploystage.registry-url", registry.apiUrl());
        config.put("quarkus.datasource.reactive.url", postgres.reactiveUrl(database));
        config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl(database));
        config.put("quarkus.datasource.username", postgres.user());
        config.put("quarkus.datasource.password", postgres.password());
        config.put("mp.jwt.verify.publickey", tokens.publicKey());
        return config;
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String registryUrl() {
        return registry.apiUrl();
    }

    /** Mints tokens the services of this stack accept. */
    public DevTokens tokens() {
        return tokens;
    }

    /** Restarts the broker in place (same ports, same data): see {@link KafkaBroker#restart()}. */
    public void restartKafka() {
        kafka.restart();
    }

    public Postgres postgres() {
        return postgres;
    }

    public List<Started> started() {
        return started;
    }

    @Override
    public void close() {
        registry.close();
        postgres.close();
        kafka.close();
    }

    /** Resident memory of a process in MiB, read from /proc (0 where unknown). */
    public static long rssMib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // process gone or /proc unavailable
        }
        return 0;
    }

    static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting", e);
        }
    }

    /** Stops a child process: politely first, then by force, and its descendants with it. */
    public static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot clear " + dir, e);
        }
    }
}
