package io.deploystage.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Prometheus server (Debian's {@code prometheus} package, or the binary named by DEPLOYSTAGE_PROMETHEUS),
 * started on a free port with its own data directory and a scrape job for the given targets. It dies with this JVM.
 */
public final class Prometheus implements AutoCloseable {

    private final Process process;
    private final int port;

    private Prometheus(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The binary: DEPLOYSTAGE_PROMETHEUS, else /usr/bin/prometheus, else prometheus on the PATH. */
    public static String binary() {
        String configured = System.getenv("DEPLOYSTAGE_PROMETHEUS");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return Files.isExecutable(Path.of("/usr/bin/prometheus")) ? "/usr/bin/prometheus" : "prometheus";
    }

    /** Starts Prometheus scraping {@code targets} (host:port, path /metrics) every {@code scrapeInterval}; waits until it is ready. */
    public static Prometheus start(Path workDir, List<String> targets, Duration scrapeInterval) {
        try {
            Files.createDirectories(workDir.resolve("data"));
            int port = FreePorts.next();
            String seconds = Math.max(1, scrapeInterval.toSeconds()) + "s";
            Path config = workDir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: %s
                      evaluation_interval: %s
                    scrape_configs:
                      - job_name: instances
                        static_configs:
                          - targets: [%s]
                    """.formatted(seconds, seconds, String.join(", ", targets.stream().map(t -> "'" + t + "'").toList())));
            Path log = workDir.resolve("prometheus.log");
            long started = System.nanoTime();
            Process process = TiedProcess.start(List.of(binary(), "--config.file=" + config, "--storage.tsdb.path=" + workDir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.retention.time=1h"), workDir, log);
            Prometheus prometheus = new Prometheus(process, port);
            TiedProcess.awaitHttpOk(process, prometheus.url() + "/-/ready", Duration.ofSeconds(60), "Prometheus", log);
            System.out.printf("[stack] Prometheus ready on %d in %d ms%n", port, (System.nanoTime() - started) / 1_000_000);
            return prometheus;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare Prometheus in " + workDir, e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        LocalStack.stop(process);
    }
}
