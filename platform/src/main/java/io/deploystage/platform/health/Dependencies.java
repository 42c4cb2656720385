package io.deploystage.platform.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logging.Logger;

import io.deploystage.platform.config.PlatformConfig;
import io.deploystage.platform.domain.Texts;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * What every service stands on, PostgreSQL and the Apicurio Registry, and whether they answer now. When handling a
 * record fails, the inbox asks here whose fault it is: if everything answers, the record's (it is retried a few times,
 * then dead-lettered with the reason); if a dependency is down, nobody's (the consumer waits for it, taking no more
 * records, and is counted here). The service is ready only while the registry answers and no consumer waits.
 */
@ApplicationScoped
public class Dependencies {

    private static final Logger LOG = Logger.getLogger(Dependencies.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
    private final PlatformConfig config;
    private final Pool database;

    /** The consumers waiting for a dependency: what each waits for, and since when. */
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();

    private record Waiting(String reason, Instant since) {
    }

    Dependencies(PlatformConfig config, Pool database) {
        this.config = config;
        this.database = database;
    }

    /** What does not answer now ("PostgreSQL: Connection refused"), or null when both do; on the caller's Vert.x context. */
    public Uni<String> unavailable() {
        return io.deploystage.platform.runtime.OffLoop.onCaller(Uni.combine().all().unis(databaseProblem(), registryProblem()).asTuple()
                .map(t -> t.getItem1() == null ? t.getItem2() : t.getItem2() == null ? t.getItem1() : t.getItem1() + "; " + t.getItem2()));
    }

    /** Null when the registry answers its system info, else why not. */
    public Uni<String> registryProblem() {
        String url = config.registryUrl() + "/system/info";
        HttpRequest.Builder probe = HttpRequest.newBuilder(URI.create(url)).timeout(PROBE_TIMEOUT).GET();
        if (config.registryUsername().isPresent() && config.registryPassword().isPresent()) {
            probe.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((config.registryUsername().get() + ":"
                    + config.registryPassword().get()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return Uni.createFrom().completionStage(() -> http.sendAsync(probe.build(), HttpResponse.BodyHandlers.discarding()))
                .map(answer -> answer.statusCode() == 200 ? (String) null : "Apicurio Registry: " + url + " answered " + answer.statusCode())
                .onFailure().recoverWithItem(e -> "Apicurio Registry: " + url + " " + describe(e));
    }

    private Uni<String> databaseProblem() {
        return database.query("select 1").execute().replaceWith((String) null)
                .ifNoItem().after(PROBE_TIMEOUT).fail()
                .onFailure().recoverWithItem(e -> "PostgreSQL: " + describe(e));
    }

    /** A consumer of {@code channel} waits for {@code reason} to answer again (logged once per outage). */
    public void waitingFor(String channel, String reason) {
        if (waiting.putIfAbsent(channel, new Waiting(reason, Instant.now())) == null) {
            LOG.warnf("%s: waiting for a dependency before taking more records (none is dead-lettered for it): %s", channel, reason);
        }
    }

    /** The consumer of {@code channel} goes on: what it waited for answers again. */
    public void available(String channel) {
        Waiting was = waiting.remove(channel);
        if (was != null) {
            LOG.infof("%s: consuming again after waiting %d s for: %s", channel, Duration.between(was.since(), Instant.now()).toSeconds(),
                    was.reason());
        }
    }

    /** The readiness of the service (blocks for up to a few seconds). */
    HealthCheckResponse readiness() {
        String registry = registryProblem().await().atMost(PROBE_TIMEOUT.multipliedBy(2));
        var response = HealthCheckResponse.named("Dependencies").withData("registry", config.registryUrl());
        waiting.forEach((channel, w) -> response.withData("waiting " + channel, w.reason() + " since " + w.since()));
        if (registry != null) {
            response.withData("error", registry);
        }
        return response.status(registry == null && waiting.isEmpty()).build();
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
        return Texts.abbreviate(message, 200);
    }
}
