package io.deploystage.executor.runner;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A smoke test: one HTTP request with the expected status (and optionally a text the body must contain), retried
 * with doubling back-off until it passes or the attempts run out. Blocking: call it off the event loop.
 */
public final class HttpCheckRunner {

    /** The check, from the plan step's argv [method, url, expected status] and the descriptor. */
    public record Check(String method, String url, int expectStatus, String expectBodyContains) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpCheckRunner() {
    }

    public static StepResult run(Check check, int attempts, Duration firstBackoff, Duration timeout) {
        long started = System.nanoTime();
        String last = "not tried";
        Duration wait = firstBackoff;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            last = once(check, timeout);
            if (last == null) {
                return new StepResult(true, check.method() + " " + check.url() + " → " + check.expectStatus() + " (attempt " + attempt + ")",
                        Duration.ofNanos(System.nanoTime() - started));
            }
            if (attempt < attempts) {
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                wait = wait.multipliedBy(2);
            }
        }
        return new StepResult(false, check.method() + " " + check.url() + " failed after " + attempts + " attempts: " + last,
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** Null when the check passes, else why not. */
    static String once(Check check, Duration timeout) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(check.url())).timeout(timeout)
                    .method(check.method(), HttpRequest.BodyPublishers.noBody()).build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != check.expectStatus()) {
                return "status " + response.statusCode() + ", expected " + check.expectStatus();
            }
            if (check.expectBodyContains() != null && !response.body().contains(check.expectBodyContains())) {
                return "the body does not contain \"" + check.expectBodyContains() + "\"";
            }
            return null;
        } catch (IOException | IllegalArgumentException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
