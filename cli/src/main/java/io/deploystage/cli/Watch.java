package io.deploystage.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;

import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.deploystage.events.AvroBinary;
import io.deploystage.events.EventEnvelope;
import io.deploystage.events.EventFormatter;
import io.deploystage.events.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A live, human-readable tail of every event, or of one release's, in colour on a terminal: from the operator
 * console's event stream (Server-Sent Events, with a token; no Kafka access needed) when a console URL is given, else
 * straight from Kafka.
 */
@Command(name = "watch", mixinStandardHelpOptions = true, description = "Follow the events of one release, or of all, as they happen.")
public class Watch implements Callable<Integer> {

    private static final String RED = "\u001b[31m";
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final String RESET = "\u001b[0m";

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RELEASE", arity = "0..1", description = "only this release's events")
    String releaseId;

    @Option(names = "--kafka", defaultValue = "${env:DEPLOY_STAGE_KAFKA:-localhost:9092}", description = "Kafka bootstrap servers (env"
            + " DEPLOY_STAGE_KAFKA; default ${DEFAULT-VALUE})")
    String kafka;

    @Option(names = "--kafka-user", defaultValue = "${env:DEPLOY_STAGE_KAFKA_USER}", description = "Kafka principal to log in as with"
            + " SCRAM-SHA-512 (env DEPLOY_STAGE_KAFKA_USER; its password only from env DEPLOY_STAGE_KAFKA_PASSWORD); unset: no login")
    String kafkaUser;

    @Option(names = "--kafka-security-protocol", defaultValue = "${env:DEPLOY_STAGE_KAFKA_SECURITY_PROTOCOL:-SASL_PLAINTEXT}",
            description = "with --kafka-user: SASL_PLAINTEXT or SASL_SSL (env DEPLOY_STAGE_KAFKA_SECURITY_PROTOCOL; default ${DEFAULT-VALUE})")
    String kafkaSecurityProtocol;

    @Option(names = "--registry", defaultValue = "${env:DEPLOY_STAGE_REGISTRY:-http://localhost:8081/apis/registry/v3}",
            description = "Apicurio Registry v3 API (env DEPLOY_STAGE_REGISTRY; default ${DEFAULT-VALUE})")
    String registry;

    @Option(names = "--registry-user", defaultValue = "${env:DEPLOY_STAGE_REGISTRY_USER}", description = "registry login (HTTP basic;"
            + " env DEPLOY_STAGE_REGISTRY_USER; its password only from env DEPLOY_STAGE_REGISTRY_PASSWORD); unset: none")
    String registryUser;

    @Option(names = "--console-url", defaultValue = "${env:DEPLOY_STAGE_CONSOLE_URL}", description = "the operator console's base URL"
            + " (env DEPLOY_STAGE_CONSOLE_URL): follow its event stream with --token instead of reading Kafka")
    String consoleUrl;

    @Option(names = "--token", defaultValue = "${env:DEPLOY_STAGE_TOKEN}", description = "with --console-url: bearer token (JWT) of any"
            + " role (env DEPLOY_STAGE_TOKEN)")
    String token;

    @Option(names = "--from-beginning", description = "start with the events already on the topics")
    boolean fromBeginning;

    @Option(names = "--no-color", description = "no colours, even on a terminal")
    boolean noColor;

    @Option(names = "--for", description = "stop after this long (e.g. PT10M); default: until Ctrl-C")
    Duration limit;

    @Option(names = "--until", paramLabel = "TYPE", description = "stop after the first event of this type (e.g. DeploymentPlan,"
            + " DeploymentOutcome); with --for, exit code 7 when it did not come in time")
    String until;

    @Override
    public Integer call() {
        boolean colour = !noColor && System.console() != null && System.getenv("NO_COLOR") == null;
        long end = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
        if (consoleUrl != null && !consoleUrl.isBlank()) {
            return followConsole(colour, end);
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "deploy-stage-watch-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        if (kafkaUser != null && !kafkaUser.isBlank()) {
            String password = System.getenv("DEPLOY_STAGE_KAFKA_PASSWORD");
            if (password == null) {
                spec.commandLine().getErr().println("deploy-stage: --kafka-user " + kafkaUser + " needs its password in DEPLOY_STAGE_KAFKA_PASSWORD");
                return ExitCodes.USAGE;
            }
            props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, kafkaSecurityProtocol);
            props.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512");
            props.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                    + jaasQuoted(kafkaUser) + "\" password=\"" + jaasQuoted(password) + "\";");
        }
        Map<String, Object> serde = new HashMap<>();
        serde.put("apicurio.registry.url", registry);
        serde.put("apicurio.registry.use-specific-avro-reader", false);
        if (registryUser != null && !registryUser.isBlank()) {
            serde.put("apicurio.registry.auth.username", registryUser);
            serde.put("apicurio.registry.auth.password", java.util.Objects.requireNonNullElse(System.getenv("DEPLOY_STAGE_REGISTRY_PASSWORD"), ""));
        }
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props); AvroKafkaDeserializer<Object> decoder = new AvroKafkaDeserializer<>()) {
            decoder.configure(serde, false);
            try {
                consumer.listTopics(Duration.ofSeconds(10));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                spec.commandLine().getErr().println("deploy-stage: cannot reach Kafka at " + kafka + " (give --kafka or DEPLOY_STAGE_KAFKA"
                        + (kafkaUser == null ? ", and --kafka-user if it wants a login)" : ")"));
                return ExitCodes.UNREACHABLE;
            } catch (org.apache.kafka.common.errors.AuthenticationException e) {
                spec.commandLine().getErr().println("deploy-stage: Kafka at " + kafka + " refused the login" + (kafkaUser == null ? " (give"
                        + " --kafka-user and DEPLOY_STAGE_KAFKA_PASSWORD)" : " of " + kafkaUser) + ": " + e.getMessage());
                return ExitCodes.UNREACHABLE;
            }
            consumer.subscribe(Topics.all());
            spec.commandLine().getErr().println("Watching " + (releaseId == null ? "all releases" : "release " + releaseId) + " on " + kafka
                    + " (Ctrl-C to stop)");
            while (System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (releaseId != null && !releaseId.equals(record.key())) {
                        continue;
                    }
                    Described event = describe(decoder, record);
                    spec.commandLine().getOut().println(colour ? paint(event.line()) : event.line());
                    spec.commandLine().getOut().flush();
                    if (awaited(event.type())) {
                        return ExitCodes.OK;
                    }
                }
            }
        }
        return timeUp();
    }

    /** Whether {@code type} is the event {@code --until} waits for. */
    private boolean awaited(String type) {
        return until != null && until.equals(type);
    }

    /** The exit code when {@code --for} is over: a time-out when {@code --until} still waited. */
    private int timeUp() {
        if (until == null) {
            return ExitCodes.OK;
        }
        spec.commandLine().getErr().println("deploy-stage: no " + until + " within " + limit);
        return ExitCodes.TIMED_OUT;
    }

    /**
     * Follows the console's stream: what it holds first with --from-beginning, then every new event; a dropped stream
     * is followed again (new events only) until the time is up.
     */
    private int followConsole(boolean colour, long end) {
        var err = spec.commandLine().getErr();
        if (token == null || token.isBlank()) {
            err.println("deploy-stage: --console-url needs a token (--token or DEPLOY_STAGE_TOKEN)");
            return ExitCodes.USAGE;
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        boolean replay = fromBeginning;
        boolean announced = false;
        while (System.nanoTime() < end) {
            String url = consoleUrl.replaceAll("/+$", "") + "/api/events?live=" + !replay
                    + (releaseId == null ? "" : "&release=" + java.net.URLEncoder.encode(releaseId, java.nio.charset.StandardCharsets.UTF_8));
            replay = false;
            java.net.http.HttpResponse<java.util.stream.Stream<String>> response;
            try {
                response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).header("Accept", "text/event-stream")
                        .header("Authorization", "Bearer " + token.trim()).build(), java.net.http.HttpResponse.BodyHandlers.ofLines());
            } catch (java.io.IOException e) {
                err.println("deploy-stage: cannot reach the console at " + consoleUrl + " (" + e.getClass().getSimpleName() + ")");
                return ExitCodes.UNREACHABLE;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCodes.OK;
            }
            if (response.statusCode() != 200) {
                response.body().close();
                err.println("deploy-stage: the console refused the stream (HTTP " + response.statusCode() + ")"
                        + (response.statusCode() == 401 || response.statusCode() == 403 ? ": give a valid token (--token or DEPLOY_STAGE_TOKEN)" : ""));
                return ExitCodes.forStatus(response.statusCode());
            }
            if (!announced) {
                err.println("Watching " + (releaseId == null ? "all releases" : "release " + releaseId) + " through the console at " + consoleUrl
                        + " (Ctrl-C to stop)");
                announced = true;
            }
            try (java.util.stream.Stream<String> lines = response.body()) {
                var it = lines.iterator();
                while (System.nanoTime() < end && it.hasNext()) {
                    String line = it.next();
                    if (!line.startsWith("data:")) {
                        continue;
                    }
                    com.fasterxml.jackson.databind.JsonNode event = json.readTree(line.substring(5).strip());
                    if (!event.hasNonNull("line")) {
                        continue; // a heartbeat
                    }
                    String text = event.get("line").asText() + "  [" + event.path("releaseId").asText() + "]";
                    spec.commandLine().getOut().println(colour ? paint(text) : text);
                    spec.commandLine().getOut().flush();
                    if (awaited(event.path("type").asText())) {
                        return ExitCodes.OK;
                    }
                }
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                err.println("deploy-stage: the console's stream broke off (" + e.getMessage() + "); following it again");
            }
        }
        return timeUp();
    }

    /** A value inside a JAAS option's double quotes: backslashes and quotes escaped. */
    static String jaasQuoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** A record as one line, and its event's type (null when it is not a known event). */
    private record Described(String type, String line) {
    }

    private static Described describe(AvroKafkaDeserializer<Object> decoder, ConsumerRecord<String, byte[]> record) {
        Instant at = Instant.ofEpochMilli(record.timestamp());
        try {
            Object value = decoder.deserialize(record.topic(), record.headers(), record.value());
            if (value instanceof GenericRecord generic) {
                SpecificRecordBase event = AvroBinary.toContract(generic);
                return new Described(event.getSchema().getName(), EventFormatter.line(at, event) + "  [" + EventEnvelope.releaseId(event) + "]");
            }
            return new Described(null, at + "  " + record.topic() + " " + value);
        } catch (RuntimeException e) {
            return new Described(null, at + "  " + record.topic() + " (" + record.value().length + " bytes that are not a known event: "
                    + e.getMessage() + ")");
        }
    }

    static String paint(String line) {
        if (line.matches(".*\\b(FAILED|FAILING|BLOCKED|ROLLED_BACK|ABORTED|RollbackCommand)\\b.*")) {
            return RED + line + RESET;
        }
        if (line.matches(".*\\b(SUCCEEDED|DEPLOYED|CLEARED|HEALTHY|DELIVERED)\\b.*")) {
            return GREEN + line + RESET;
        }
        if (line.matches(".*\\b(STARTED|WAITING|INCONCLUSIVE|SKIPPED)\\b.*")) {
            return YELLOW + line + RESET;
        }
        return line;
    }
}
