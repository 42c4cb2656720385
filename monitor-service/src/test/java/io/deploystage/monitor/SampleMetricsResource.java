package io.deploystage.monitor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.deploystage.stack.Prometheus;
import io.deploystage.stack.sample.SampleInstall;
import io.deploystage.stack.sample.SampleTraffic;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Real processes to measure: the sample service on prod-1 and prod-2 (version 1.0.0) under 40 checkouts/s each, and a
 * real Prometheus server scraping prod-1 every second, secured as hosted ones are (TLS, a login). prod-2 is left to the monitor's direct scrape.
 */
public class SampleMetricsResource implements QuarkusTestResourceLifecycleManager {

    static SampleInstall.Installation sample;
    static Prometheus prometheus;

    static synchronized void startOnce() {
        if (sample != null) {
            return;
        }
        long owner = ProcessHandle.current().pid();
        sample = SampleInstall.install(Path.of("target", "sample").toAbsolutePath(), List.of("staging-1", "prod-1", "prod-2"));
        sample.deploy("production", "prod-1", "1.0.0", owner);
        sample.deploy("production", "prod-2", "1.0.0", owner);
        SampleTraffic first = new SampleTraffic(sample, "staging-1", List.of("prod-1"), s -> { }, Duration.ofMinutes(10)).start(40, 1);
        SampleTraffic second = new SampleTraffic(sample, "staging-1", List.of("prod-2"), s -> { }, Duration.ofMinutes(10)).start(40, 1);
        prometheus = Prometheus.startSecured(Path.of("target", "prometheus").toAbsolutePath(), List.of("127.0.0.1:" + sample.port("prod-1")),
                Duration.ofSeconds(1));
        SampleInstall.Installation started = sample;
        Prometheus server = prometheus;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            first.close();
            second.close();
            started.stopAll();
            server.close();
        }, "sample-metrics-stop"));
    }

    @Override
    public Map<String, String> start() {
        startOnce();
        // as a hosted Prometheus-compatible service: https with its own CA, and a login
        return Map.of("monitor.sources.prometheus-url", prometheus.url(), "monitor.sources.poll-interval", "2s",
                "monitor.sources.baseline-window", "30s", "monitor.sources.prometheus-access.username", prometheus.access().username(),
                "monitor.sources.prometheus-access.password", prometheus.access().password(),
                "monitor.sources.prometheus-access.ca-file", prometheus.access().caFile().toString());
    }

    @Override
    public void stop() {
        // shared by the test classes of this JVM; the shutdown hook stops the processes
    }
}
