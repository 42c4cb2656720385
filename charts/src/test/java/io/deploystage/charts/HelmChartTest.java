package io.deploystage.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

/**
 * The Helm chart, checked by Helm itself (its Go library through helm-java; no helm binary or kubeconform is served by
 * this machine's package registries): {@code helm lint --strict}, then {@code helm template} with the chart's values
 * and with others, and every rendered manifest parsed and held to what the services need to start and to be reached.
 */
class HelmChartTest {

    static final Path CHART = Path.of("deploy-stage").toAbsolutePath();
    static final List<String> SERVICES = List.of("gate-service", "planner-service", "executor-service", "monitor-service", "notifier-service",
            "console-service");
    static final Set<String> WITH_DATABASE = Set.of("gate-service", "planner-service", "executor-service", "monitor-service", "notifier-service");

    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void lintsCleanInStrictMode() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertFalse(result.isFailed(), () -> "helm lint --strict: " + result.getMessages());
    }

    @Test
    void rendersADeploymentAndAServiceForEachServiceThatStartsAsTheServicesNeed() throws IOException {
        Map<String, JsonNode> objects = render(t -> t.set("jwt.publicKey", "MIIBIjAN")
                .set("credentials.values.postgres-password", "pg-secret"));
        Set<String> kinds = new TreeSet<>();
        objects.values().forEach(o -> kinds.add(o.path("kind").asText()));
        assertEquals(Set.of("Deployment", "Service", "Secret"), kinds);
        for (String service : SERVICES) {
            JsonNode deployment = objects.get("Deployment/deploy-stage-" + service);
            assertNotNull(deployment, service + " has a Deployment; rendered: " + objects.keySet());
            JsonNode pod = deployment.at("/spec/template");
            JsonNode container = pod.at("/spec/containers/0");
            assertEquals("registry.example.com/deploy-stage/" + service + ":0.1.0", container.path("image").asText());
            assertEquals(deployment.at("/spec/selector/matchLabels"), labelsOf(pod, deployment.at("/spec/selector/matchLabels")),
                    "the pods carry the selector's labels");
            Map<String, JsonNode> env = env(container);
            assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + service
                    + "\" password=\"$(KAFKA_PASSWORD)\";", env.get("KAFKA_SASL_JAAS_CONFIG").path("value").asText(),
                    "each service logs in to Kafka as its own principal");
            assertSecretRef(env, "KAFKA_PASSWORD", "kafka-password-" + service);
            assertSecretRef(env, "DEPLOYSTAGE_REGISTRY_PASSWORD", "registry-password-" + service);
            assertTrue(new ArrayList<>(env.keySet()).indexOf("KAFKA_PASSWORD") < new ArrayList<>(env.keySet()).indexOf("KAFKA_SASL_JAAS_CONFIG"),
                    "$(KAFKA_PASSWORD) is expanded only when defined before its use");
            assertEquals("MIIBIjAN", env.get("MP_JWT_VERIFY_PUBLICKEY").path("value").asText());
            assertEquals(servicesIssuer(), env.get("MP_JWT_VERIFY_ISSUER").path("value").asText(), "the chart's issuer is the services'");
            if (WITH_DATABASE.contains(service)) {
                String database = service.substring(0, service.indexOf('-'));
                assertEquals("postgresql://postgresql:5432/" + database + "?sslmode=prefer", env.get("QUARKUS_DATASOURCE_REACTIVE_URL").path("value").asText());
                assertEquals("jdbc:postgresql://postgresql:5432/" + database + "?sslmode=prefer", env.get("QUARKUS_DATASOURCE_JDBC_URL").path("value").asText());
                assertSecretRef(env, "QUARKUS_DATASOURCE_PASSWORD", "postgres-password");
            } else {
                assertNull(env.get("QUARKUS_DATASOURCE_REACTIVE_URL"), service + " has no database");
            }
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                assertEquals("http", container.at("/" + probe + "/httpGet/port").asText(), probe);
            }
            assertEquals("/q/health/ready", container.at("/readinessProbe/httpGet/path").asText());
            assertTrue(pod.at("/spec/securityContext/runAsNonRoot").asBoolean(), "runs as a non-root user");
            assertTrue(container.at("/securityContext/readOnlyRootFilesystem").asBoolean());
            assertEquals("/tmp", container.at("/volumeMounts/0/mountPath").asText(), "a writable /tmp for a read-only root");

            JsonNode svc = objects.get("Service/deploy-stage-" + service);
            assertNotNull(svc, service + " has a Service");
            assertEquals(deployment.at("/spec/selector/matchLabels"), svc.at("/spec/selector"), "the Service selects the Deployment's pods");
            assertEquals("http", svc.at("/spec/ports/0/targetPort").asText());
        }
        // the console relays operators' commands to the executor and reads plans from the planner: the URLs name the
        // Services as rendered
        Map<String, JsonNode> consoleEnv = env(objects.get("Deployment/deploy-stage-console-service").at("/spec/template/spec/containers/0"));
        String executorUrl = consoleEnv.get("CONSOLE_EXECUTOR_URL").path("value").asText();
        assertEquals("http://deploy-stage-executor-service:8080", executorUrl);
        assertTrue(objects.containsKey("Service/deploy-stage-executor-service"));
        assertEquals("http://deploy-stage-planner-service:8080", consoleEnv.get("CONSOLE_PLANNER_URL").path("value").asText());
        assertTrue(objects.containsKey("Service/deploy-stage-planner-service"));
        // the passwords go into the Secret the containers reference, nowhere else
        JsonNode secret = objects.get("Secret/deploy-stage-credentials");
        assertEquals("pg-secret", secret.at("/stringData/postgres-password").asText());
        long mentions = objects.values().stream().filter(o -> o.toString().contains("pg-secret")).count();
        assertEquals(1, mentions, "the password is in the Secret only");
    }

    @Test
    void anExistingSecretIsUsedAsItIsAndAServiceCanBeLeftOut() throws IOException {
        Map<String, JsonNode> objects = render(t -> t.set("credentials.existingSecret", "vault-synced")
                .set("services.console-service.enabled", "false")
                .set("image.tag", "1.4.2")
                .set("services.executor-service.replicas", "3")
                .set("kafka.bootstrapServers", "kafka-0.kafka:9093,kafka-1.kafka:9093"));
        assertTrue(objects.keySet().stream().noneMatch(k -> k.startsWith("Secret/")), "no Secret is made: " + objects.keySet());
        assertFalse(objects.containsKey("Deployment/deploy-stage-console-service"));
        assertFalse(objects.containsKey("Service/deploy-stage-console-service"));
        JsonNode executor = objects.get("Deployment/deploy-stage-executor-service");
        assertEquals(3, executor.at("/spec/replicas").asInt());
        JsonNode container = executor.at("/spec/template/spec/containers/0");
        assertEquals("registry.example.com/deploy-stage/executor-service:1.4.2", container.path("image").asText());
        Map<String, JsonNode> env = env(container);
        assertEquals("vault-synced", env.get("KAFKA_PASSWORD").at("/valueFrom/secretKeyRef/name").asText());
        assertEquals("kafka-0.kafka:9093,kafka-1.kafka:9093", env.get("KAFKA_BOOTSTRAP_SERVERS").path("value").asText());
    }

    @Test
    void aReleaseNamedAfterTheChartDoesNotRepeatIt() throws IOException {
        Map<String, JsonNode> objects = render("deploy-stage-prod", t -> t);
        assertTrue(objects.containsKey("Deployment/deploy-stage-prod-gate-service"), objects.keySet().toString());
    }

    @Test
    void aServiceWithoutARegistryLoginIsRefusedWithTheReason() {
        Exception refused = assertThrows(Exception.class, () -> render(t -> t.set("registry.usernames.gate-service", "")));
        assertTrue(refused.getMessage().contains("registry.usernames.gate-service is required"), refused.getMessage());
    }

    private static Map<String, JsonNode> render(UnaryOperator<TemplateCommand> values) throws IOException {
        return render("deploy-stage", values);
    }

    /** helm template with these values; the objects by kind/name. */
    private static Map<String, JsonNode> render(String release, UnaryOperator<TemplateCommand> values) throws IOException {
        String manifests = values.apply(new Helm(CHART).template().withName(release)).call();
        Map<String, JsonNode> objects = new HashMap<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(manifests)) {
            while (documents.hasNext()) {
                JsonNode object = documents.next();
                if (object == null || object.isMissingNode() || object.isEmpty()) {
                    continue;
                }
                assertFalse(object.path("apiVersion").asText().isEmpty(), "apiVersion: " + object);
                String key = object.path("kind").asText() + "/" + object.at("/metadata/name").asText();
                assertTrue(object.at("/metadata/name").asText().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") && key.length() < 80,
                        "a valid object name: " + key);
                assertNull(objects.put(key, object), "one object per name: " + key);
            }
        }
        return objects;
    }

    private static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> env = new java.util.LinkedHashMap<>();
        container.path("env").forEach(e -> assertNull(env.put(e.path("name").asText(), e), "one definition of " + e.path("name").asText()));
        return env;
    }

    private static JsonNode labelsOf(JsonNode pod, JsonNode wanted) {
        com.fasterxml.jackson.databind.node.ObjectNode labels = YAML.createObjectNode();
        wanted.fieldNames().forEachRemaining(name -> labels.set(name, pod.at("/metadata/labels").path(name)));
        return labels;
    }

    private static void assertSecretRef(Map<String, JsonNode> env, String name, String key) {
        JsonNode ref = env.get(name).at("/valueFrom/secretKeyRef");
        assertEquals("deploy-stage-credentials", ref.path("name").asText(), name);
        assertEquals(key, ref.path("key").asText(), name);
        assertTrue(env.get(name).path("value").isMissingNode(), name + " has no literal value");
    }

    /** The issuer the services verify tokens against (the platform's configuration). */
    private static String servicesIssuer() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("..", "platform", "src", "main", "resources", "META-INF",
                "microprofile-config.properties"))) {
            properties.load(in);
        }
        return properties.getProperty("mp.jwt.verify.issuer");
    }
}
