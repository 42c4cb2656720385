package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * The running system's registry: registering a schema takes a service's login (the services registered every
 * contract they emit with theirs, or the flow would not run); without one, with a wrong password, or with the
 * read-only login it is refused; reading takes a login too (the read-only one does).
 */
class RegistryAuthTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void onlyAServiceLoginRegistersASchemaAndOnlyLoginsReadIt() throws Exception {
        RunningSystem system = RunningSystem.get();
        String registry = system.stack.registryUrl();
        String password = system.stack.serviceConfig("planner").get("deploystage.registry-password");

        assertEquals(401, register(registry, "probe-" + UUID.randomUUID(), null).statusCode(), "no login");
        assertEquals(401, register(registry, "probe-" + UUID.randomUUID(), "planner-service:not-its-password").statusCode(), "wrong password");
        String reader = system.stack.registryReader().getKey() + ":" + system.stack.registryReader().getValue();
        assertEquals(403, register(registry, "probe-" + UUID.randomUUID(), reader).statusCode(), "the read-only login");
        String artifact = "probe-" + UUID.randomUUID();
        HttpResponse<String> registered = register(registry, artifact, "planner-service:" + password);
        assertEquals(200, registered.statusCode(), registered.body());

        URI content = URI.create(registry + "/groups/default/artifacts/" + artifact + "/versions/1/content");
        assertEquals(401, http.send(HttpRequest.newBuilder(content).build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "anonymous read");
        HttpResponse<String> read = http.send(HttpRequest.newBuilder(content).header("Authorization", basic(reader)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, read.statusCode(), "the read-only login reads");
        assertEquals("{\"type\":\"string\"}", read.body());
    }

    private HttpResponse<String> register(String registry, String artifactId, String login) throws Exception {
        String body = "{\"artifactId\":\"" + artifactId + "\",\"artifactType\":\"AVRO\",\"firstVersion\":{\"content\":"
                + "{\"content\":\"{\\\"type\\\":\\\"string\\\"}\",\"contentType\":\"application/json\"}}}";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(registry + "/groups/default/artifacts"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (login != null) {
            request.header("Authorization", basic(login));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String login) {
        return "Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8));
    }
}
