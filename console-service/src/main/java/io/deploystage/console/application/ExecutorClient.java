package io.deploystage.console.application;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * The executor's API, called with the operator's own token (the executor checks the roles again and records who did
 * it). Paths are built by the console's resource from validated parts only.
 */
@ApplicationScoped
public class ExecutorClient {

    private static final Logger LOG = Logger.getLogger(ExecutorClient.class);

    /** What the executor answered. */
    public record Answer(int status, String contentType, String body) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    ExecutorClient(@ConfigProperty(name = "console.executor-url") String base) {
        this.base = base.replaceAll("/+$", "");
    }

    public Uni<Answer> get(String path, String token) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), token, path);
    }

    public Uni<Answer> post(String path, String token, String jsonBody) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody)), token, path);
    }

    private Uni<Answer> send(HttpRequest.Builder request, String token, String path) {
        request.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30));
        return Uni.createFrom().completionStage(() -> http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()))
                .map(r -> new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse("application/json"), r.body()))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("Console: the executor did not answer %s (%s)", path, e.getClass().getSimpleName());
                    return new Answer(502, "application/json", "{\"error\":\"the executor did not answer\"}");
                });
    }
}
