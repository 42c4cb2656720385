package io.deploystage.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.EventEnvelope;
import io.deploystage.events.EventFormatter;
import io.deploystage.events.MetricSample;
import io.deploystage.events.Topics;
import io.deploystage.stack.sample.SampleTraffic;

/**
 * Takes releases of the sample service through the whole running system with real traffic on its instances: collects
 * the pre-deploy baseline, submits the release and its gate results, prints every event of it as it happens, and
 * writes two artifacts to a folder when it ends: the rollback plan, and the deployment checklist completed by the executor
 * with what was done. The main job and the demo's end-to-end test both run it.
 */
public final class Demo implements AutoCloseable {

    /**
     * The executor as the main job runs it: the plan's bake windows (10 minutes) shortened to 10 s, a verdict on each
     * window's last 5 s needed, and inconclusive health still pausing. A canary at 5% is judged every 20 requests it
     * serves (the sample's minimum), about every 5 s, and its first window after a deploy is still warming up: a bake
     * holds two of its windows.
     */
    public static final java.util.Map<String, String> EXECUTOR_SETTINGS = java.util.Map.of("executor.health.max-window", "10s",
            "executor.health.freshness", "5s", "executor.health.when-inconclusive", "PAUSE");

    /** Production and staging checkouts per second: the canary's 5% is 5 a second. */
    public static final int PRODUCTION_RATE = 100;
    public static final int STAGING_RATE = 20;

    /** How often the metrics agent reports. */
    public static final Duration AGENT_WINDOW = Duration.ofMillis(2500);

    /** How one release ended. */
    public record Result(String releaseId, String version, String strategy, String outcome, String reason, Duration took,
            List<Path> artifacts) {
    }

    private final EventClient client;
    private final EventClient.Reader reader;
    private final SampleTraffic traffic;
    private final String plannerUrl;
    private final String executorUrl;
    private final DevTokens tokens;
    private final Path artifactDir;
    private final Consumer<String> out;
    private final Duration baseline;
    private final HttpClient http = HttpClient.newHttpClient();

    public Demo(EventClient client, SampleTraffic traffic, String plannerUrl, String executorUrl, DevTokens tokens, Path artifactDir,
            Duration baseline, Consumer<String> out) {
        this.client = client;
        this.reader = client.reader(Topics.all());
        this.traffic = traffic;
        this.plannerUrl = plannerUrl;
        this.executorUrl = executorUrl;
        this.tokens = tokens;
        this.artifactDir = artifactDir;
        this.baseline = baseline;
        this.out = out;
    }

    /** Runs one release of the sample service to its outcome (or fails after {@code timeout}). */
    public Result release(String version, Duration timeout) {
        String releaseId = SampleDescriptor.SERVICE + "-" + version + "-" + UUID.randomUUID().toString().substring(0, 8);
        long started = System.nanoTime();
        traffic.follow(releaseId, SampleDescriptor.SERVICE, version);
        out.accept("");
        out.accept("== Release " + releaseId + ": collecting the pre-deploy baseline from real traffic (" + baseline.toSeconds() + " s)…");
        LocalStack.pause(baseline.toMillis());
        out.accept("== Submitting " + SampleDescriptor.SERVICE + " " + version + " and its review, test and security gate results");
        client.publish(SampleEvents.releaseCandidate(releaseId, SampleDescriptor.SERVICE, version));
        SampleEvents.passingGates(releaseId).forEach(client::publish);

        String strategy = "?";
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, Object> record : reader.poll(Duration.ofMillis(200))) {
                if (!(record.value() instanceof SpecificRecordBase event) || !releaseId.equals(EventEnvelope.releaseId(event))
                        || event instanceof MetricSample) {
                    continue;
                }
                out.accept(EventFormatter.line(Instant.ofEpochMilli(record.timestamp()), event));
                if (event instanceof DeploymentPlan plan) {
                    strategy = plan.getStrategy().name();
                }
                if (event instanceof DeploymentOutcome outcome) {
                    List<Path> artifacts = writeArtifacts(releaseId, outcome.getDeploymentId());
                    return new Result(releaseId, version, strategy, outcome.getOutcome().name(), outcome.getReason(),
                            Duration.ofNanos(System.nanoTime() - started), artifacts);
                }
            }
        }
        throw new IllegalStateException("release " + releaseId + " had no outcome within " + timeout.toSeconds() + " s");
    }

    /** The deployment checklist as completed by the executor (the record of what was done) and the planner's rollback plan. */
    private List<Path> writeArtifacts(String releaseId, String deploymentId) {
        List<Path> written = new ArrayList<>();
        try {
            Path dir = Files.createDirectories(artifactDir.resolve(releaseId));
            for (String url : List.of(executorUrl + "/deployments/" + deploymentId + "/deployment-checklist", plannerUrl + "/plans/" + releaseId
                    + "/rollback-plan")) {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                        .header("Accept", "text/markdown").header("Authorization", "Bearer " + tokens.mint("local-operator", "operator"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
                }
                Path file = dir.resolve(url.substring(url.lastIndexOf('/') + 1) + ".md");
                Files.writeString(file, response.body());
                written.add(file);
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the artifacts of " + releaseId, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        reader.close();
    }
}
