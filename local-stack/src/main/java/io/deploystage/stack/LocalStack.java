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

    /** The registry account of tools and tests that publish as any party (an sr-admin). */
    static final String REGISTRY_ADMIN = "admin";
    /** The registry account of readers that only decode (the CLI's watch): sr-readonly. */
    public static final String REGISTRY_READER = "watch";
    /** The operator console's Kafka principal (reads every event topic, writes none). */
    public static final String CONSOLE = "console-service";

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
    private final Map<String, String> kafkaPasswords;
    private final Map<String, String> registryPasswords;

    private LocalStack(KafkaBroker kafka, Map<String, String> kafkaPasswords, Map<String, String> registryPasswords, Postgres postgres,
            ApicurioRegistry registry, List<Started> started) {
        this.kafka = kafka;
        this.kafkaPasswords = kafkaPasswords;
        this.registryPasswords = registryPasswords;
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
        Map<String, String> registryPasswords = new LinkedHashMap<>();
        for (String service : ServiceProcess.SERVICES) {
            registryPasswords.put(service, KafkaAccess.randomSecret());
        }
        registryPasswords.put(REGISTRY_ADMIN, KafkaAccess.randomSecret());
        registryPasswords.put(REGISTRY_READER, KafkaAccess.randomSecret());
        ApicurioRegistry registry = null;
        KafkaBroker kafka = null;
        try {
            registry = ApicurioRegistry.start(workDir.resolve("apicurio"), options.registryPort(),
                    options.persistent() ? workDir.resolve("apicurio/registry-db") : null, registryUsers(registryPasswords));
            long t2 = System.nanoTime();
            Path kafkaDir = workDir.resolve("kafka");
            if (!options.persistent()) {
                deleteRecursively(kafkaDir);
            }
            kafka = options.kafkaMode() == KafkaMode.IN_PROCESS
                    ? KafkaBroker.startInProcess(kafkaDir)
                    : KafkaBroker.startChildProcess(kafkaDir, options.kafkaPort() > 0 ? options.kafkaPort() : FreePorts.next());
            createTopics(kafka.adminConfig());
            Map<String, String> kafkaPasswords = KafkaAccess.newPasswords();
            KafkaAccess.apply(kafka.adminConfig(), kafkaPasswords);
            awaitLogin(kafka.bootstrapServers(), kafkaPasswords);
            long t3 = System.nanoTime();
            List<Started> started = List.of(
                    new Started("postgresql", millis(t1 - t0), null),
                    new Started("apicurio-registry", millis(t2 - t1), registry.process() == null ? null : TiedProcess.command(registry.process())),
                    new Started("kafka", millis(t3 - t2), kafka.process() == null ? null : TiedProcess.command(kafka.process())));
            LOG.info(() -> "Local stack up: " + started.stream().map(s -> s.component() + " " + s.millis() + " ms").toList());
            return new LocalStack(kafka, kafkaPasswords, registryPasswords, postgres, registry, started);
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
    static void createTopics(Map<String, Object> adminConfig) {
        try (Admin admin = Admin.create(adminConfig)) {
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

    /**
     * Waits until the broker accepts the new SCRAM credentials (they reach its metadata a moment after the controller
     * took them): a client refused at login gives up, so a service started before would fail.
     */
    private static void awaitLogin(String bootstrapServers, Map<String, String> passwords) {
        Map<String, Object> config = new LinkedHashMap<>(KafkaAccess.clientConfig("watch", passwords.get("watch")));
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Admin admin = Admin.create(config)) {
                admin.describeCluster().clusterId().get(5, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka does not accept the principals' logins: " + e.getMessage(), e);
                }
                pause(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Each service writes schemas as itself (sr-developer); the admin account is the tools' and tests', watch only reads. */
    private static List<ApicurioRegistry.User> registryUsers(Map<String, String> passwords) {
        return passwords.entrySet().stream()
                .map(e -> new ApicurioRegistry.User(e.getKey(), e.getValue(), switch (e.getKey()) {
                    case REGISTRY_ADMIN -> "sr-admin";
                    case REGISTRY_READER -> "sr-readonly";
                    default -> "sr-developer";
                }))
                .toList();
    }

    /**
     * The configuration a Deploy Stage service needs to run against this stack with its own database (named after the
     * service, without "-service") and its own Kafka principal.
     */
    public Map<String, String> serviceConfig(String database) {
        postgres.ensureDatabase(database);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        KafkaAccess.clientConfig(database + "-service", kafkaPassword(database + "-service")).forEach((key, value) -> config.put("kafka." + key, value));
        config.put("deploystage.registry-url", registry.apiUrl());
        config.put("deploystage.registry-username", database + "-service");
        config.put("deploystage.registry-password", registryPasswords.get(database + "-service"));
        config.put("quarkus.datasource.reactive.url", postgres.reactiveUrl(database));
        config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl(database));
        config.put("quarkus.datasource.username", postgres.user());
        config.put("quarkus.datasource.password", postgres.password());
        config.put("mp.jwt.verify.publickey", tokens.publicKey());
        return config;
    }

    /**
     * The operator console's configuration against this stack: its own read-only Kafka principal, the registry's
     * read-only account, the services' token key, the executor it forwards commands to and the planner it reads the
     * plans' artifacts from. No database.
     */
    public Map<String, String> consoleConfig(String executorUrl, String plannerUrl) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        KafkaAccess.clientConfig(CONSOLE, kafkaPassword(CONSOLE)).forEach((key, value) -> config.put("kafka." + key, value));
        config.put("deploystage.registry-url", registry.apiUrl());
        config.put("deploystage.registry-username", REGISTRY_READER);
        config.put("deploystage.registry-password", registryPasswords.get(REGISTRY_READER));
        config.put("mp.jwt.verify.publickey", tokens.publicKey());
        config.put("console.executor-url", executorUrl);
        config.put("console.planner-url", plannerUrl);
        return config;
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** Settings of a Kafka client logged in as one of {@link KafkaAccess}'s principals, bootstrap servers included. */
    public Map<String, Object> kafkaClientConfig(String principal) {
        KafkaAccess.principal(principal);
        Map<String, Object> config = new LinkedHashMap<>(KafkaAccess.clientConfig(principal, kafkaPasswords.get(principal)));
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return config;
    }

    /** Settings of a Kafka client logged in as the broker's super user (tests that act as every party at once). */
    public Map<String, Object> kafkaAdminConfig() {
        return kafka.adminConfig();
    }

    /** The password of one of {@link KafkaAccess}'s principals on this stack (for the local run's instructions). */
    public String kafkaPassword(String principal) {
        KafkaAccess.principal(principal);
        return kafkaPasswords.get(principal);
    }

    public String registryUrl() {
        return registry.apiUrl();
    }

    /** The login (user, password) of the registry account that may write any schema, for tools and tests. */
    public Map.Entry<String, String> registryAdmin() {
        return Map.entry(REGISTRY_ADMIN, registryPasswords.get(REGISTRY_ADMIN));
    }

    /** The login (user, password) of the registry's read-only account (the CLI's watch). */
    public Map.Entry<String, String> registryReader() {
        return Map.entry(REGISTRY_READER, registryPasswords.get(REGISTRY_READER));
    }

    /** Mints tokens the services of this stack accept. */
    public DevTokens tokens() {
        return tokens;
    }

    /** Restarts the broker in place (same ports, same data): see {@link KafkaBroker#restart()}. */
    public void restartKafka() {
        kafka.restart();
    }

    /**
     * Whether a service's inbox holds the event as processed (in the service's own database): its effects, and the
     * events it staged, are committed. With {@link #unpublished} and {@link EventClient.Reader#readToEnd}, what marks
     * the end of a flow a test checks for what must not be there.
     */
    public boolean processed(String database, java.util.UUID eventId) {
        return count(database, "select count(*) from processed_event where event_id = ?", eventId) > 0;
    }

    /** How many of the release's events a service's outbox still holds (committed, not yet acknowledged by the broker). */
    public long unpublished(String database, String releaseId) {
        return count(database, "select count(*) from outbox where message_key = ?", releaseId);
    }

    private long count(String database, String sql, Object parameter) {
        try (java.sql.Connection db = java.sql.DriverManager.getConnection(postgres.jdbcUrl(database), postgres.user(), postgres.password());
                java.sql.PreparedStatement query = db.prepareStatement(sql)) {
            query.setObject(1, parameter);
            try (java.sql.ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(sql + " in " + database + ": " + e.getMessage(), e);
        }
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
