package io.deploystage.e2e.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.deploystage.e2e.RunningSystemAccess;

/**
 * OFREP evaluations per second of one executor process pinned to one core (taskset), the load generator (this JVM)
 * pinned to the other: the server's figure is not shared with its own load. The generator keeps {@code bench.connections}
 * HTTP/1.1 connections busy with {@code bench.pipeline} requests in flight on each (pipelined), each with a new
 * targetingKey, and counts 200 answers whose body carries the flag's key.
 * Run on purpose: ./mvnw -B -Pbench -pl e2e verify -Dtest=OfrepBench -Dsurefire.failIfNoSpecifiedTests=false
 */
@Tag("bench")
class OfrepBench {

    @Test
    void ofrepEvaluationsOnOneCore() throws Exception {
        var system = RunningSystemAccess.get();
        var executor = system.service("executor-service");
        String key = "bench-ofrep-" + UUID.randomUUID().toString().substring(0, 6);
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(executor.baseUrl() + "/flags/" + key))
                .header("Authorization", "Bearer " + system.tokens().mint("bench", "operator")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"enabled\": true, \"internalEnabled\": false, \"internalUsers\": [], \"rolloutPercent\": 50}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 200) {
            throw new IllegalStateException("creating the flag: " + created.statusCode() + " " + created.body());
        }
        boolean pinned = pin(executor.pid(), "0") && pin(ProcessHandle.current().pid(), "1");
        URI base = URI.create(executor.baseUrl());
        int connections = Integer.getInteger("bench.connections", 8);
        int pipeline = Integer.getInteger("bench.pipeline", 16);
        for (int seconds : List.of(5, Integer.getInteger("bench.seconds", 15))) {
            AtomicLong done = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int connection = c;
                Thread thread = new Thread(() -> load(base, key, connection, pipeline, end, done, errors), "ofrep-load-" + c);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            System.out.printf("%nOFREP single-flag evaluations, executor %s, %d connections × %d pipelined, %d s: %.0f evaluations/s, %d errors%n",
                    pinned ? "pinned to core 0 (load generator on core 1)" : "NOT pinned (taskset failed)", connections, pipeline, seconds,
                    done.get() / (double) seconds, errors.get());
        }
        pin(executor.pid(), "0-" + (Runtime.getRuntime().availableProcessors() - 1));
        pin(ProcessHandle.current().pid(), "0-" + (Runtime.getRuntime().availableProcessors() - 1));
    }

    /** Every thread of the process onto the CPU list. */
    private static boolean pin(long pid, String cpus) throws Exception {
        Process taskset = new ProcessBuilder("taskset", "-a", "-c", "-p", cpus, Long.toString(pid)).redirectErrorStream(true).start();
        String out = new String(taskset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ok = taskset.waitFor() == 0;
        if (!ok) {
            System.out.println("taskset failed: " + out);
        }
        return ok;
    }

    private static void load(URI base, String key, int connection, int pipeline, long end, AtomicLong done, AtomicLong errors) {
        byte[] marker = ("\"key\":\"" + key + "\"").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 65536);
            long i = 0;
            while (System.nanoTime() < end) {
                StringBuilder requests = new StringBuilder();
                for (int p = 0; p < pipeline; p++) {
                    String body = "{\"context\":{\"targetingKey\":\"user-" + connection + "-" + i++ + "\"}}";
                    requests.append("POST /ofrep/v1/evaluate/flags/").append(key).append(" HTTP/1.1\r\nHost: ").append(base.getHost())
                            .append("\r\nContent-Type: application/json\r\nContent-Length: ").append(body.length()).append("\r\n\r\n").append(body);
                }
                out.write(requests.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                for (int p = 0; p < pipeline; p++) {
                    Answer answer = read(in);
                    (answer.status() == 200 && contains(answer.body(), marker) ? done : errors).incrementAndGet();
                }
            }
        } catch (IOException e) {
            errors.incrementAndGet();
            System.out.println("connection " + connection + " failed: " + e);
        }
    }

    private record Answer(int status, byte[] body) {
    }

    /** One HTTP/1.1 response with a Content-Length body. */
    private static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        int length = 0;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(header.substring(15).trim());
            }
        }
        return new Answer(status, in.readNBytes(length));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static boolean contains(byte[] body, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= body.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (body[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
