package io.deploystage.platform.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An HTTP exchange whose whole answer is bounded, for URLs a descriptor or a destination names (smoke checks, scrapes,
 * Prometheus, notification receivers): at most {@code maxBytes} of body are read, and the answer, body included, must
 * arrive within {@code total}. The request timeout of {@link HttpClient} covers only the headers: a server that drips
 * its body a byte at a time would otherwise hold the caller for as long as it likes.
 */
public final class BoundedHttp {

    /** The status, the body read (at most maxBytes) and whether it was cut there. */
    public record Answer(int status, byte[] body, boolean truncated) {
    }

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "bounded-http-timer");
        thread.setDaemon(true);
        return thread;
    });

    private BoundedHttp() {
    }

    /**
     * Sends the request and reads the answer within {@code total}; throws {@link HttpTimeoutException} when the
     * headers or the body take longer (the exchange is then cancelled), an {@link IOException} when it fails.
     */
    public static Answer exchange(HttpClient http, HttpRequest request, int maxBytes, Duration total) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + total.toNanos();
        CompletableFuture<HttpResponse<InputStream>> pending = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> response;
        try {
            response = pending.get(total.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new HttpTimeoutException("no answer within " + total.toMillis() + " ms");
        } catch (InterruptedException e) {
            pending.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
        InputStream in = response.body();
        AtomicBoolean cut = new AtomicBoolean();
        ScheduledFuture<?> guard = TIMER.schedule(() -> {
            cut.set(true);
            try {
                in.close(); // ends a blocked read (as end of stream, or with an exception)
            } catch (IOException ignored) {
                // closing is all we want
            }
        }, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        byte[] body;
        try (in) {
            body = in.readNBytes(maxBytes);
        } catch (IOException e) {
            if (cut.get()) {
                throw new HttpTimeoutException("the answer took longer than " + total.toMillis() + " ms");
            }
            throw e;
        } finally {
            guard.cancel(false);
        }
        if (cut.get()) {
            throw new HttpTimeoutException("the answer took longer than " + total.toMillis() + " ms");
        }
        return new Answer(response.statusCode(), body, body.length == maxBytes);
    }
}
