package io.deploystage.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The services' HTTP APIs as the CLI calls them, with one mapping from what happened to an exit code a CI script can
 * test (see {@link ExitCodes}) and a message for people.
 */
final class Api {

    /** What a call gave: the exit code, and the body or the reason. */
    record Reply(int exitCode, int status, String body) {
        boolean ok() {
            return exitCode == ExitCodes.OK;
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Api() {
    }

    static Reply get(String base, String path, String token, String accept) {
        return send(HttpRequest.newBuilder(uri(base, path)).header("Accept", accept).GET(), token, base);
    }

    static Reply post(String base, String path, String token, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(uri(base, path)).header("Content-Type", contentType)
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body)), token, base);
    }

    private static URI uri(String base, String path) {
        return URI.create(base.replaceAll("/+$", "") + path);
    }

    private static Reply send(HttpRequest.Builder request, String token, String base) {
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token.trim());
        }
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(ExitCodes.forStatus(response.statusCode()), response.statusCode(), response.body());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return new Reply(ExitCodes.UNREACHABLE, 0, "cannot reach " + base + " (" + e.getClass().getSimpleName() + "): is the service running,"
                    + " and is the URL right?");
        } catch (IOException e) {
            return new Reply(ExitCodes.UNREACHABLE, 0, "talking to " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(ExitCodes.UNREACHABLE, 0, "interrupted");
        }
    }

    /** Prints the outcome: the body on success (to stdout), the reason otherwise (to stderr); returns the exit code. */
    static int report(Reply reply, java.io.PrintWriter out, java.io.PrintWriter err) {
        if (reply.ok()) {
            out.println(reply.body());
        } else {
            String what = switch (reply.exitCode()) {
                case ExitCodes.UNAUTHORIZED -> "not allowed (HTTP " + reply.status() + "): give a token with the needed role (--token or"
                        + " DEPLOY_STAGE_TOKEN)";
                case ExitCodes.NOT_FOUND -> "not found (HTTP 404)";
                case ExitCodes.REJECTED -> "rejected (HTTP " + reply.status() + ")";
                case ExitCodes.SERVER_ERROR -> "the service failed (HTTP " + reply.status() + ")";
                default -> "error";
            };
            err.println("deploy-stage: " + what + (reply.body() == null || reply.body().isBlank() ? "" : ": " + reply.body()));
        }
        return reply.exitCode();
    }
}
