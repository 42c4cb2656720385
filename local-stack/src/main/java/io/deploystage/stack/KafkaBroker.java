package io.deploystage.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.utils.Time;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

/**
 * A single-node Kafka broker in KRaft mode, run inside this JVM (tests) or as a child JVM (local runs). Nothing on it is
 * open: clients log in over SASL (SCRAM-SHA-512 for the principals of {@link KafkaAccess}; the broker's own super user
 * "admin" with PLAIN, its password new at every start) and the StandardAuthorizer refuses whatever no ACL allows.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";

    private final int port;
    private final Path dataDir;
    private final String adminPassword = KafkaAccess.randomSecret();
    private KafkaRaftServer inProcess;
    private Properties props;
    private Process child;

    private KafkaBroker(int port, Path dataDir) {
        this.port = port;
        this.dataDir = dataDir;
    }

    /** Starts the broker in this JVM; formats the storage on first use of the folder. */
    public static KafkaBroker startInProcess(Path dataDir) {
        KafkaBroker broker = new KafkaBroker(FreePorts.next(), dataDir);
        broker.props = broker.prepare();
        broker.startServer();
        return broker;
    }

    /** Starts the broker as a child JVM on this JVM's classpath, with its log in the data folder. */
    public static KafkaBroker startChildProcess(Path dataDir, int port) {
        KafkaBroker broker = new KafkaBroker(port, dataDir);
        Properties props = broker.prepare();
        Path config = dataDir.resolve("server.properties");
        try (Writer out = Files.newBufferedWriter(config)) {
            // holds the admin password: readable by this user only
            Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            props.store(out, "Deploy Stage local broker");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "kafka.Kafka", config.toString()));
        broker.child = TiedProcess.start(command, dataDir, dataDir.resolve("kafka.log"));
        broker.awaitListening(Duration.ofSeconds(60));
        return broker;
    }

    private void startServer() {
        inProcess = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        inProcess.startup();
        awaitListening(Duration.ofSeconds(60));
    }

    /**
     * Stops the broker (a controlled shutdown, as a rolling restart does) and starts it again on the same ports and log
     * folder; returns once it listens again. Clients see their connections drop and reconnect.
     */
    public synchronized void restart() {
        if (inProcess == null) {
            throw new IllegalStateException("Only a broker run in this JVM is restarted here");
        }
        inProcess.shutdown();
        inProcess.awaitShutdown();
        startServer();
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** Client settings of the broker's super user (used to create topics, principals and ACLs, and by tests). */
    public Map<String, Object> adminConfig() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, PLAIN_MODULE + " required username=\"admin\" password=\"" + adminPassword + "\";");
    }

    /** The child JVM, when the broker runs as one. */
    public Process process() {
        return child;
    }

    private Properties prepare() {
        int controllerPort = FreePorts.next();
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.bootstrap.servers", "localhost:" + controllerPort);
        props.put("listeners", "SASL_PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        props.put("advertised.listeners", "SASL_PLAINTEXT://localhost:" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        props.put("inter.broker.listener.name", "SASL_PLAINTEXT");
        // clients: SCRAM-SHA-512 (credentials kept in the cluster's metadata); the broker itself: PLAIN as "admin"
        String adminLogin = PLAIN_MODULE + " required username=\"admin\" password=\"" + adminPassword + "\" user_admin=\"" + adminPassword + "\";";
        props.put("sasl.enabled.mechanisms", KafkaAccess.MECHANISM + ",PLAIN");
        props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        props.put("sasl.mechanism.controller.protocol", "PLAIN");
        props.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", adminLogin);
        props.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        props.put("listener.name.controller.plain.sasl.jaas.config", adminLogin);
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("super.users", "User:admin");
        props.put("allow.everyone.if.no.acl.found", "false");
        props.put("log.dirs", dataDir.resolve("logs").toString());
        props.put("num.partitions", "3");
        props.put("auto.create.topics.enable", "true");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("log.cleaner.dedupe.buffer.size", "2097152");
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
                Path config = Files.createTempFile("kafka-format", ".properties");
                try (Writer out = Files.newBufferedWriter(config)) {
                    props.store(out, null);
                }
                int exit = StorageTool.execute(new String[] {"format", "-t", org.apache.kafka.common.Uuid.randomUuid().toString(),
                        "-c", config.toString(), "--standalone"}, new PrintStream(PrintStream.nullOutputStream()));
                Files.deleteIfExists(config);
                if (exit != 0) {
                    throw new IllegalStateException("Formatting Kafka storage in " + dataDir + " failed with exit code " + exit);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props;
    }

    private void awaitListening(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (child != null && !child.isAlive()) {
                throw new IllegalStateException("Kafka exited with code " + child.exitValue() + "; see " + dataDir.resolve("kafka.log"));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("localhost", port), 500);
                return;
            } catch (IOException notYet) {
                LocalStack.pause(100);
            }
        }
        throw new IllegalStateException("Kafka did not listen on port " + port + " within " + timeout);
    }

    @Override
    public void close() {
        if (inProcess != null) {
            inProcess.shutdown();
            inProcess.awaitShutdown();
        }
        if (child != null) {
            LocalStack.stop(child);
        }
    }
}
