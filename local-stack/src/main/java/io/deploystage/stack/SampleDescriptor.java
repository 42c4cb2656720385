package io.deploystage.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The deploy descriptor of the bundled sample service "checkout", registered with the planner through its API. */
public final class SampleDescriptor {

    public static final String SERVICE = "checkout";

    private SampleDescriptor() {
    }

    static String environment(String name, String instances) {
        return """
                {"deploy": ["sample-deploy", "--environment", "{environment}", "--instance", "{instance}", "--version", "{version}"],
                 "rollback": ["sample-deploy", "--environment", "{environment}", "--instance", "{instance}", "--previous"],
                 "trafficSwitch": ["sample-traffic", "--to", "{instance}", "--weight", "{weight}"],
                 "flagSet": ["sample-flags", "set", "{flag}", "--rollout", "{weight}"],
                 "smokeChecks": [{"name": "health", "method": "GET", "url": "http://localhost:18080/%s/health", "expectStatus": 200}],
                 "instances": %s,
                 "thresholds": {"errorRatePercent": 5.0, "p95LatencyMs": 250, "businessMetricDropPercent": 20,
                                "maxRelativeDegradation": 0.5, "minSamples": 20}}""".formatted(name, instances);
    }

    public static String json() {
        return "{\"staging\": " + environment("staging", "[\"staging-1\"]") + ",\n \"production\": "
                + environment("production", "[\"prod-1\", \"prod-2\"]")
                + ",\n \"owners\": [\"dana\"], \"escalationContact\": \"dana\", \"teamChannel\": \"#checkout-oncall\"}";
    }

    /** Registers the descriptor with the planner at {@code baseUrl}, as an operator. */
    public static void register(String baseUrl, DevTokens tokens) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/descriptors/" + SERVICE))
                .header("Authorization", "Bearer " + tokens.mint("local-operator", "operator"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json()))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException("Registering the " + SERVICE + " descriptor failed: " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot reach the planner at " + baseUrl + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
