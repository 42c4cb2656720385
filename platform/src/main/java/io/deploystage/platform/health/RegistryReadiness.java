package io.deploystage.platform.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.deploystage.platform.config.PlatformConfig;
import io.smallrye.common.annotation.Blocking;

/** Ready only while the Apicurio Registry answers: without it no event can be written or read. */
@Readiness
@Blocking
@ApplicationScoped
public class RegistryReadiness implements HealthCheck {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final PlatformConfig config;

    RegistryReadiness(PlatformConfig config) {
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        String url = config.registryUrl() + "/system/info";
        var response = HealthCheckResponse.named("Apicurio Registry").withData("url", url);
        try {
            HttpResponse<Void> answer = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.status(answer.statusCode() == 200).withData("status", answer.statusCode()).build();
        } catch (Exception e) {
            return response.down().withData("error", e.toString()).build();
        }
    }
}
