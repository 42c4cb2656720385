package io.deploystage.platform.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** Against a real HTTP server on localhost: a body that drips, one that is too long, headers that never come. */
class BoundedHttpTest {

    private HttpServer server;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/ok", exchange -> {
            byte[] body = "metric 1\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/drip", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                while (!stop.await(100, TimeUnit.MILLISECONDS)) {
                    out.write('x');
                    out.flush();
                }
            } catch (Exception gone) {
                // the client hung up
            }
        });
        server.createContext("/huge", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                byte[] chunk = new byte[8192];
                for (int i = 0; i < 1000 && stop.getCount() > 0; i++) {
                    out.write(chunk);
                }
            } catch (Exception gone) {
                // the client hung up
            }
        });
        server.createContext("/silent", exchange -> {
            try {
                stop.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void shutdown() {
        stop.countDown();
        server.stop(0);
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path)).GET().build();
    }

    @Test
    void aShortAnswerIsReadWhole() throws Exception {
        BoundedHttp.Answer answer = BoundedHttp.exchange(http, get("/ok"), 1024, Duration.ofSeconds(5));
        assertEquals(200, answer.status());
        assertArrayEquals("metric 1\n".getBytes(StandardCharsets.UTF_8), answer.body());
        assertFalse(answer.truncated());
    }

    @Test
    void aDrippingBodyIsCutAtTheTotalTimeLimit() {
        long t0 = System.nanoTime();
        HttpTimeoutException timeout = assertThrows(HttpTimeoutException.class,
                () -> BoundedHttp.exchange(http, get("/drip"), 1024 * 1024, Duration.ofMillis(800)));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(millis >= 700 && millis < 3000, "cut after " + millis + " ms");
        assertTrue(timeout.getMessage().contains("800 ms"), timeout.getMessage());
    }

    @Test
    void aHugeBodyIsReadOnlyUpToTheCap() throws Exception {
        BoundedHttp.Answer answer = BoundedHttp.exchange(http, get("/huge"), 64 * 1024, Duration.ofSeconds(5));
        assertEquals(64 * 1024, answer.body().length);
        assertTrue(answer.truncated());
    }

    @Test
    void headersThatNeverComeAreAnsweredByTheTimeLimit() {
        long t0 = System.nanoTime();
        assertThrows(HttpTimeoutException.class, () -> BoundedHttp.exchange(http, get("/silent"), 1024, Duration.ofMillis(500)));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 3000);
    }
}
