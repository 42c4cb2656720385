package io.deploystage.console.application;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;


import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Another service's API (the executor's, the planner's), called with the operator's own token: that service checks
 * the roles again and records who did it. Paths are built by the console's resource from validated parts only.
 */
public final class ServiceClient {

    private static final Logger LOG = Logger.getLogger(ServiceClient.class);

    /** What the service answered. */
    public record Answer(int status, String contentType, String body) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String name;
    private final String base;

    public ServiceClient(String name, String base) {
        this.name = name;
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
                    LOG.warnf("Console: the %s did not answer %s (%s)", name, path, e.getClass().getSimpleName());
                    return new Answer(502, "application/json", "{\"error\":\"the " + name + " did not answer\"}");
                });
    }

    /** The two services the console calls, from its configuration. */
    @jakarta.enterprise.context.ApplicationScoped
    public static class Upstreams {

        private final ServiceClient executor;
        private final ServiceClient planner;

        Upstreams(@ConfigProperty(name = "console.executor-url") String executorUrl, @ConfigProperty(name = "console.planner-url") String plannerUrl) {
            this.executor = new ServiceClient("executor", executorUrl);
            this.planner = new ServiceClient("planner", plannerUrl);
        }

        /** Deployments, their checklists, flags, and the operators' commands. */
        public ServiceClient executor() {
            return executor;
        }

        /** Plans and their two artifacts. */
        public ServiceClient planner() {
            return planner;
        }
    }
}
