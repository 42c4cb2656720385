package io.deploystage.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.deploystage.stack.sample.SampleInstall;

/** The deploy descriptor of the bundled sample service "checkout", registered with the planner through its API. */
public final class SampleDescriptor {

    public static final String SERVICE = "checkout";

    private SampleDescriptor() {
    }

    /** The instances of the sample service: staging-1 in staging; prod-1 (the canary) and prod-2, blue and green in production. */
    public static final List<String> INSTANCES = List.of("staging-1", "prod-1", "prod-2", "blue", "green");
    public static final List<String> PRODUCTION = List.of("prod-1", "prod-2");

    static String environment(SampleInstall.Installation sample, String name, List<String> instances) {
        String smoke = sample.url(instances.get(0), "/health");
        return """
                {"deploy": ["%s", "--environment", "{environment}", "--instance", "{instance}", "--version", "{version}"],
                 "rollback": ["%s", "--environment", "{environment}", "--instance", "{instance}", "--previous"],
                 "trafficSwitch": ["%s", "--to", "{instance}", "--weight", "{weight}"],
                 "rerunSafe": ["deploy", "trafficSwitch"],
                 "smokeChecks": [{"name": "health", "method": "GET", "url": "%s", "expectStatus": 200}],
                 "instances": %s,
                 "versionUrls": {%s},
                 "thresholds": {"errorRatePercent": 5.0, "p50LatencyMs": 150, "p95LatencyMs": 250, "p99LatencyMs": 500,
                                "businessMetricDropPercent": 20, "maxRelativeDegradation": 0.5, "minSamples": 20}}""".formatted(sample.deployTool(), sample.deployTool(),
                sample.trafficTool(), smoke, instances.stream().map(i -> "\"" + i + "\"").toList(), versionUrls(sample, name, instances));
    }

    /** Each instance tells its version on /health ("ok checkout 1.1.0"); in production the blue/green colours too. */
    static String versionUrls(SampleInstall.Installation sample, String name, List<String> instances) {
        List<String> all = new java.util.ArrayList<>(instances);
        if (name.equals("production")) {
            all.addAll(List.of("blue", "green"));
        }
        return String.join(", ", all.stream().map(i -> "\"" + i + "\": \"" + sample.url(i, "/health") + "\"").toList());
    }

    /** The descriptor, with the installed tools' paths and the instances' URLs. */
    public static String json(SampleInstall.Installation sample) {
        return json(sample, SERVICE);
    }

    /** The descriptor of an installation registered as {@code service}. */
    static String json(SampleInstall.Installation sample, String service) {
        return "{\"staging\": " + environment(sample, "staging", List.of("staging-1")) + ",\n \"production\": "
                + environment(sample, "production", PRODUCTION)
                + ",\n \"owners\": [\"dana\"], \"escalationContact\": \"dana\", \"teamChannel\": \"#" + service + "-oncall\"}";
    }

    /**
     * Installs the sample's tools in {@code home} and starts {@code version} on every staging and production instance,
     * as the version running before the first release (a rollback returns to it).
     */
    public static SampleInstall.Installation installWithBaseline(Path home, String version, long owner) {
        SampleInstall.Installation sample = SampleInstall.install(home, INSTANCES);
        for (String instance : List.of("staging-1", "prod-1", "prod-2", "blue")) {
            sample.deploy(instance.startsWith("staging") ? "staging" : "production", instance, version, owner);
        }
        return sample;
    }

    /** Registers the descriptor with the planner at {@code baseUrl}, as an operator. */
    public static void register(String baseUrl, DevTokens tokens, SampleInstall.Installation sample) {
        register(baseUrl, tokens, sample, SERVICE);
    }

    /**
     * Registers an installation of the sample as the service {@code service}: a second team's service, set up as a
     * newcomer sets up theirs, with its own instances, tools and deployments.
     */
    public static void register(String baseUrl, DevTokens tokens, SampleInstall.Installation sample, String service) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/descriptors/" + service))
                .header("Authorization", "Bearer " + tokens.mint("local-operator", "operator"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json(sample, service)))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException("Registering the " + service + " descriptor failed: " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot reach the planner at " + baseUrl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
