package io.deploystage.stack.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The bundled sample service ("checkout"), a real HTTP process with a Prometheus endpoint. It depends on the JDK only.
 * <ul>
 * <li>{@code GET /health}: 200 and the version;</li>
 * <li>{@code GET /work?payment=card|test}: one checkout of real work (a sleep of 0.5 to 1.5 times {@code SAMPLE_LATENCY_MS},
 * default 90 ms: long enough that a pause of a few tens of milliseconds on a busy machine is not a 50% worse p99), its
 * duration in a {@code Server-Timing: work;dur=<ms>} header; versions listed in
 * {@code SAMPLE_FAULTY_VERSIONS} (default 1.2.0) fail a share of card payments ({@code SAMPLE_FAULTY_ERROR_RATE},
 * default 0.3) with a 500 and an ERROR log line, as a bug that only real payment providers trigger would; staging's
 * sandbox payments ({@code payment=test}) never fail;</li>
 * <li>{@code GET /metrics}: requests by status, a latency histogram, orders (a business metric) and log lines by
 * level, in the Prometheus text format.</li>
 * </ul>
 * It writes its pid to the {@code --ready} file once it listens, and exits when the {@code --owner} process is gone,
 * so no instance outlives the run that started it.
 */
public final class SampleApp {

    /** When this process started, for process_start_time_seconds. */
    private static final long STARTED_AT = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();

    static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final String instance;
    private final String version;
    private final double errorRate;
    private final int latencyMillis;
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong orders = new AtomicLong();
    private final AtomicLong errorLines = new AtomicLong();
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS.length + 1);
    private final AtomicLong sumMicros = new AtomicLong();

    SampleApp(String instance, String version, double errorRate, int latencyMillis) {
        this.instance = instance;
        this.version = version;
        this.errorRate = errorRate;
        this.latencyMillis = latencyMillis;
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = options(args);
        String version = options.getOrDefault("version", "0.0.0");
        Set<String> faulty = Set.of(env("SAMPLE_FAULTY_VERSIONS", "1.2.0").split(","));
        double errorRate = faulty.contains(version) ? Double.parseDouble(env("SAMPLE_FAULTY_ERROR_RATE", "0.3")) : 0;
        SampleApp app = new SampleApp(options.getOrDefault("instance", "sample"), version, errorRate,
                Integer.parseInt(env("SAMPLE_LATENCY_MS", "90")));
        // answers go out at once: without TCP_NODELAY a response written as headers then body waits for the client's
        // delayed ACK (40 ms on Linux) on a busy keep-alive connection, and latency would follow load, not the work
        System.setProperty("sun.net.httpserver.nodelay", "true");
        // loopback unless told (--host 0.0.0.0 in a container, so Prometheus and the load can reach it)
        HttpServer server = HttpServer.create(new InetSocketAddress(options.getOrDefault("host", "127.0.0.1"),
                Integer.parseInt(options.get("port"))), 200);
        // sleeping threads are cheap; enough of them that 100 requests a second never queue behind the work
        server.setExecutor(Executors.newFixedThreadPool(32));
        server.createContext("/health", ex -> respond(ex, 200, "ok " + app.instance + " " + app.version + "\n"));
        server.createContext("/work", app::work);
        server.createContext("/metrics", ex -> respond(ex, 200, app.metrics()));
        server.start();
        // stopping the server ends its dispatcher thread, which would otherwise sit in epoll_wait while the JVM exits,
        // and the JVM waits up to 300 ms for threads in native code: a redeploy would wait that long for the port
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0), "stop-server"));
        System.out.printf("INFO sample %s %s listening on %s (error rate %.2f)%n", app.instance, version, options.get("port"), errorRate);
        if (options.containsKey("ready")) {
            Files.writeString(Path.of(options.get("ready")), Long.toString(ProcessHandle.current().pid()));
        }
        long owner = Long.parseLong(options.getOrDefault("owner", "0"));
        if (owner > 0) {
            Thread watch = new Thread(() -> {
                while (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                System.out.println("INFO owner process " + owner + " is gone; stopping");
                System.exit(0);
            }, "owner-watch");
            watch.setDaemon(true);
            watch.start();
        }
    }

    private void work(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            Thread.sleep(Math.max(1, (long) (latencyMillis * (0.5 + random.nextDouble()))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String query = exchange.getRequestURI().getRawQuery();
        boolean card = query == null || !query.contains("payment=test");
        boolean fail = card && random.nextDouble() < errorRate;
        double seconds = (System.nanoTime() - started) / 1e9;
        int bucket = 0;
        while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]) {
            bucket++;
        }
        buckets.incrementAndGet(bucket);
        sumMicros.addAndGet((long) (seconds * 1e6));
        // the instance's own measure of the request, as a mesh sidecar beside it would see it (W3C Server-Timing)
        exchange.getResponseHeaders().set("Server-Timing", String.format(Locale.ROOT, "work;dur=%.1f", seconds * 1000));
        if (fail) {
            failed.incrementAndGet();
            errorLines.incrementAndGet();
            System.out.println("ERROR checkout " + version + ": payment provider call failed");
            respond(exchange, 500, "failed\n");
        } else {
            ok.incrementAndGet();
            orders.incrementAndGet();
            respond(exchange, 200, version + "\n");
        }
    }

    String metrics() {
        String labels = "instance=\"" + instance + "\",version=\"" + version + "\"";
        StringBuilder out = new StringBuilder();
        out.append("# TYPE sample_requests_total counter\n");
        out.append("sample_requests_total{").append(labels).append(",status=\"200\"} ").append(ok.get()).append('\n');
        out.append("sample_requests_total{").append(labels).append(",status=\"500\"} ").append(failed.get()).append('\n');
        out.append("# TYPE sample_request_duration_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
            cumulative += buckets.get(i);
            out.append("sample_request_duration_seconds_bucket{").append(labels).append(",le=\"").append(BUCKETS[i]).append("\"} ")
                    .append(cumulative).append('\n');
        }
        cumulative += buckets.get(BUCKETS.length);
        out.append("sample_request_duration_seconds_bucket{").append(labels).append(",le=\"+Inf\"} ").append(cumulative).append('\n');
        out.append("sample_request_duration_seconds_sum{").append(labels).append("} ")
                .append(String.format(Locale.ROOT, "%.6f", sumMicros.get() / 1e6)).append('\n');
        out.append("sample_request_duration_seconds_count{").append(labels).append("} ").append(cumulative).append('\n');
        out.append("# TYPE sample_orders_total counter\n");
        out.append("sample_orders_total{").append(labels).append("} ").append(orders.get()).append('\n');
        out.append("# TYPE process_start_time_seconds gauge\n");
        out.append("process_start_time_seconds ").append(String.format(Locale.ROOT, "%.3f", STARTED_AT / 1000.0)).append('\n');
        out.append("# TYPE sample_log_lines_total counter\n");
        out.append("sample_log_lines_total{").append(labels).append(",level=\"ERROR\"} ").append(errorLines.get()).append('\n');
        return out.toString();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got " + Arrays.toString(args));
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        if (!options.containsKey("port")) {
            throw new IllegalArgumentException("--port is required");
        }
        return options;
    }
}
