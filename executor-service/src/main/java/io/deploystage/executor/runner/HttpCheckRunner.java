package io.deploystage.executor.runner;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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

    /** Most of a response body read (enough for a health page); the rest is not waited for. */
    static final int MAX_BODY = 64 * 1024;

    /** With the default URL policy (link-local and metadata addresses denied). */
    public static StepResult run(Check check, int attempts, Duration firstBackoff, Duration timeout) {
        return run(check, attempts, firstBackoff, timeout, DEFAULT_POLICY::refusal, () -> false);
    }

    private static final io.deploystage.platform.http.UrlGuard DEFAULT_POLICY = new io.deploystage.platform.http.UrlGuard(
            io.deploystage.platform.domain.UrlPolicy.of(java.util.List.of(), io.deploystage.platform.domain.UrlPolicy.DEFAULT_DENY));

    /** {@code refusal}: why a URL may not be called (the service's URL policy), or null. */
    public static StepResult run(Check check, int attempts, Duration firstBackoff, Duration timeout,
            java.util.function.Function<String, String> refusal, java.util.function.BooleanSupplier stopped) {
        long started = System.nanoTime();
        String refused = refusal.apply(check.url());
        if (refused != null) {
            return new StepResult(false, check.method() + " refused: " + refused, Duration.ofNanos(System.nanoTime() - started));
        }
        String last = "not tried";
        Duration wait = firstBackoff;
        for (int attempt = 1; attempt <= attempts && !stopped.getAsBoolean(); attempt++) {
            last = once(check, timeout);
            if (last == null) {
                return new StepResult(true, check.method() + " " + check.url() + " → " + check.expectStatus() + " (attempt " + attempt + ")",
                        Duration.ofNanos(System.nanoTime() - started));
            }
            if (attempt < attempts) {
                // the back-off, looking every 50 ms whether the check is still wanted
                long until = System.nanoTime() + wait.toNanos();
                while (System.nanoTime() < until && !stopped.getAsBoolean()) {
                    try {
                        Thread.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return new StepResult(false, "interrupted", Duration.ofNanos(System.nanoTime() - started));
                    }
                }
                wait = wait.multipliedBy(2);
            }
        }
        if (stopped.getAsBoolean()) {
            return new StepResult(false, "stopped: " + last, Duration.ofNanos(System.nanoTime() - started));
        }
        return new StepResult(false, check.method() + " " + check.url() + " failed after " + attempts + " attempts: " + last,
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** Null when the check passes, else why not. */
    static String once(Check check, Duration timeout) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(check.url())).timeout(timeout)
                    .method(check.method(), HttpRequest.BodyPublishers.noBody()).build();
            // the whole answer within the timeout, at most MAX_BODY of it
            io.deploystage.platform.http.BoundedHttp.Answer response = io.deploystage.platform.http.BoundedHttp.exchange(HTTP, request,
                    check.expectBodyContains() == null ? 0 : MAX_BODY, timeout);
            String body = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
            if (response.status() != check.expectStatus()) {
                return "status " + response.status() + ", expected " + check.expectStatus();
            }
            if (check.expectBodyContains() != null && !body.contains(check.expectBodyContains())) {
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
