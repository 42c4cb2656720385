package io.deploystage.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts child processes that die with this JVM, even when it is killed with kill -9 and no shutdown hook runs:
 * a small bash watchdog runs the command and stops it once this JVM is gone.
 */
public final class TiedProcess {

    private TiedProcess() {
    }

    /** Starts the command with its output appended to {@code log}; the returned process is the watchdog. */
    public static Process start(List<String> command, Path workDir, Path log) {
        long parent = ProcessHandle.current().pid();
        // stop: SIGTERM, and SIGKILL if it has not exited 20 s later (a service whose broker or database is gone can take a
        // minute to shut down gracefully)
        String stop = "kill $child 2>/dev/null; for i in $(seq 40); do kill -0 $child 2>/dev/null || break; sleep 0.5; done; "
                + "kill -9 $child 2>/dev/null; wait $child";
        List<String> wrapped = new ArrayList<>(List.of("bash", "-c",
                "\"$@\" & child=$!; trap '" + stop + "; exit $?' TERM INT; "
                        + "while kill -0 " + parent + " 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done; " + stop,
                "tied"));
        wrapped.addAll(command);
        try {
            ProcessBuilder builder = new ProcessBuilder(wrapped)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + command.get(0), e);
        }
    }

    /**
     * Ties a process this JVM did not start as a child (it was daemonized, as embedded PostgreSQL's postmaster is) to
     * this JVM: a watchdog sends it {@code signal} once this JVM is gone, even after a kill -9, waits for it to exit and
     * then deletes {@code remove} (its throw-away data, or null).
     */
    public static void tie(long pid, String signal, Path remove) {
        long parent = ProcessHandle.current().pid();
        String cleanup = remove == null ? "" : "; while kill -0 " + pid + " 2>/dev/null; do sleep 0.2; done; rm -rf '" + remove + "'";
        try {
            new ProcessBuilder("bash", "-c", "while kill -0 " + parent + " 2>/dev/null && kill -0 " + pid + " 2>/dev/null; do sleep 1; done; "
                    + "kill -0 " + parent + " 2>/dev/null || { kill -" + signal + " " + pid + " 2>/dev/null" + cleanup + "; }")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot tie process " + pid + " to this JVM", e);
        }
    }

    /** The pid of the command itself (not its watchdog), for memory readings and kill -9. */
    public static ProcessHandle command(Process watchdog) {
        // the watchdog's loop has short-lived children beside the command, all started after it: the command is the oldest
        return watchdog.children().min(java.util.Comparator.comparing(child -> child.info().startInstant().orElse(java.time.Instant.MAX)))
                .orElse(watchdog.toHandle());
    }

    /** Waits until {@code url} answers 200, failing early with the log's path if the process exits. */
    public static void awaitHttpOk(Process process, String url, Duration timeout, String what, Path log) {
        awaitHttpOk(process, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build(), HttpRequest.newBuilder(URI.create(url)),
                timeout, what, log);
    }

    /** As {@link #awaitHttpOk(Process, String, Duration, String, Path)} with this client and request (TLS, a login). */
    public static void awaitHttpOk(Process process, HttpClient client, HttpRequest.Builder request, Duration timeout, String what, Path log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " exited with code " + process.exitValue() + "; see " + log);
            }
            try {
                var response = client.send(request.timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            LocalStack.pause(150);
        }
        throw new IllegalStateException(what + " was not ready within " + timeout + "; see " + log);
    }

    /** kill -9 of the command, then of its watchdog. */
    public static void kill9(Process watchdog) {
        command(watchdog).destroyForcibly();
        watchdog.destroyForcibly();
        try {
            watchdog.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
