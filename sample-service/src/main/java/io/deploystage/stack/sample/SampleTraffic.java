package io.deploystage.stack.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.deploystage.events.Cohort;
import io.deploystage.events.Environment;
import io.deploystage.events.MetricSample;

/**
 * Real traffic at the sample's instances, and the metrics agent that reports it: a load generator sends checkouts to
 * staging (sandbox payments) and production (card payments), production split by the weights the traffic tool set
 * (a canary instance gets its weight while it runs another version than the rest); every window it publishes what it
 * measured per environment and cohort: requests, errors (5xx), each request's latency as the instance measured it, and
 * the new ERROR log lines the instances report on /metrics. Windows before a deploy touched an environment are its BASELINE. After, production is
 * reported as two cohorts, as a service mesh's per-version metrics are: the instances running the release's version
 * (CANARY, with the traffic share they really get) and the others (STABLE), so the monitor compares the canary with the
 * stable instances over the same period. Staging is reported until production is touched.
 */
public final class SampleTraffic implements AutoCloseable {

    private static final Pattern ERROR_LINES = Pattern.compile("sample_log_lines_total\\{[^}]*level=\"ERROR\"[^}]*} (\\d+)");
    private static final Pattern VERSION = Pattern.compile("version=\"([^\"]+)\"");
    private static final Pattern SERVER_TIMING = Pattern.compile("(?:^|,)\\s*work;dur=([0-9]+(?:\\.[0-9]+)?)");

    private final SampleInstall.Installation sample;
    private final List<String> production;
    private final String staging;
    private final Consumer<MetricSample> publish;
    private final Duration window;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    private final ExecutorService senders = Executors.newFixedThreadPool(32);
    private final Map<String, Measured> measured = new ConcurrentHashMap<>();
    private final Map<String, String> versions = new ConcurrentHashMap<>();
    private final Map<String, Long> errorLines = new ConcurrentHashMap<>();
    private volatile Release release;

    /** The release being reported, and where its deploys have reached. */
    private record Release(String releaseId, String service, String version, int actionsAtStart) {
    }

    /** What was measured in one environment during the current window. */
    private static final class Measured {
        long requests;
        long errors;
        final List<Double> latencies = new ArrayList<>();

        synchronized void add(boolean error, double millis) {
            requests++;
            if (error) {
                errors++;
            }
            if (latencies.size() < 20_000) {
                latencies.add(millis);
            }
        }

        synchronized void add(Measured other) {
            requests += other.requests;
            errors += other.errors;
            latencies.addAll(other.latencies);
        }

        synchronized Measured drain() {
            Measured out = new Measured();
            out.requests = requests;
            out.errors = errors;
            out.latencies.addAll(latencies);
            requests = 0;
            errors = 0;
            latencies.clear();
            return out;
        }
    }

    public SampleTraffic(SampleInstall.Installation sample, String staging, List<String> production, Consumer<MetricSample> publish,
            Duration window) {
        this.sample = sample;
        this.staging = staging;
        this.production = List.copyOf(production);
        this.publish = publish;
        this.window = window;
    }

    /** Starts sending {@code productionRate} and {@code stagingRate} requests per second, and reporting every window. */
    public SampleTraffic start(int productionRate, int stagingRate) {
        timer.scheduleAtFixedRate(() -> send(Environment.PRODUCTION, route()), 0, 1_000_000 / productionRate, TimeUnit.MICROSECONDS);
        timer.scheduleAtFixedRate(() -> send(Environment.STAGING, staging), 0, 1_000_000 / stagingRate, TimeUnit.MICROSECONDS);
        timer.scheduleAtFixedRate(this::report, window.toMillis(), window.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Reports the traffic from now on for this release (BASELINE until its deploys touch each environment). */
    public void follow(String releaseId, String service, String version) {
        measured.values().forEach(Measured::drain);
        release = new Release(releaseId, service, version, sample.actions().size());
    }

    private String route() {
        String canary = production.get(0);
        String canaryVersion = versions.get(canary);
        boolean split = canaryVersion != null && production.stream().skip(1).anyMatch(i -> !canaryVersion.equals(versions.get(i)));
        if (split) {
            int weight = weight(canary);
            if (ThreadLocalRandom.current().nextInt(100) < weight) {
                return canary;
            }
            List<String> rest = production.subList(1, production.size());
            return rest.get(ThreadLocalRandom.current().nextInt(rest.size()));
        }
        return production.get(ThreadLocalRandom.current().nextInt(production.size()));
    }

    /** The tools' action log, read at most every 100 ms. */
    private volatile List<String> actions = List.of();
    private volatile long actionsReadAt;

    /**
     * The canary's share of the traffic, as a router keeps it: the weight the traffic tool last set for it, counted
     * only if set after the canary was last deployed (a new canary starts at 0%, not at the 100% the previous release's
     * canary ended on).
     */
    private int weight(String instance) {
        long now = System.nanoTime();
        if (now - actionsReadAt > 100_000_000L) {
            actions = sample.actions();
            actionsReadAt = now;
        }
        List<String> log = actions;
        for (int i = log.size() - 1; i >= 0; i--) {
            String[] action = log.get(i).split(" ");
            if (action.length >= 3 && action[0].equals("deploy") && action[1].equals("production") && action[2].equals(instance)) {
                return 0;
            }
            if (action.length >= 3 && action[0].equals("traffic") && action[1].equals(instance)) {
                try {
                    return Integer.parseInt(action[2]);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    private void send(Environment environment, String instance) {
        senders.submit(() -> {
            String target = instance;
            for (int attempt = 0; attempt < 2; attempt++) {
                long started = System.nanoTime();
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(sample.url(target, "/work?payment="
                            + (environment == Environment.STAGING ? "test" : "card")))).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        versions.put(target, response.body().trim());
                    }
                    double client = (System.nanoTime() - started) / 1e6;
                    measured.computeIfAbsent(target, i -> new Measured()).add(response.statusCode() >= 500, served(response.headers().firstValue("Server-Timing"), client));
                    return;
                } catch (IOException e) {
                    // as a load balancer would: an instance that refuses connections (it is being redeployed) is skipped and
                    // the request goes to another one; with none left it is not served, and not counted
                    List<String> others = environment == Environment.PRODUCTION ? production.stream().filter(i -> !i.equals(instance)).toList()
                            : List.of();
                    if (others.isEmpty()) {
                        return;
                    }
                    target = others.get(ThreadLocalRandom.current().nextInt(others.size()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
    }

    /**
     * A request's latency as the instance measured it ({@code Server-Timing: work;dur=}), as a mesh sidecar beside it
     * reports it: this load generator shares its process and cores with other work, and its own pauses are not the
     * release's. Without the header, the time the request took here.
     */
    static double served(java.util.Optional<String> serverTiming, double clientMillis) {
        return serverTiming.map(SERVER_TIMING::matcher).filter(Matcher::find)
                .map(m -> Double.parseDouble(m.group(1))).orElse(clientMillis);
    }

    private void report() {
        try {
            Release current = release;
            Instant end = Instant.now();
            Map<String, Long> lines = newErrorLines();
            Map<String, Measured> drained = new HashMap<>();
            measured.forEach((instance, m) -> drained.put(instance, m.drain()));
            if (current == null) {
                return;
            }
            List<String> actions = sample.actions();
            List<String> since = actions.subList(Math.min(current.actionsAtStart(), actions.size()), actions.size());
            boolean stagingTouched = since.stream().anyMatch(a -> a.startsWith("deploy staging"));
            boolean productionTouched = since.stream().anyMatch(a -> a.startsWith("deploy production") || a.startsWith("traffic"));
            if (!productionTouched) {
                publish(current, end, Environment.STAGING, stagingTouched ? Cohort.CANARY : Cohort.BASELINE, List.of(staging), drained, lines);
                publish(current, end, Environment.PRODUCTION, Cohort.BASELINE, production, drained, lines);
                return;
            }
            List<String> canary = production.stream().filter(i -> current.version().equals(versions.get(i))).toList();
            publish(current, end, Environment.PRODUCTION, Cohort.CANARY, canary, drained, lines);
            publish(current, end, Environment.PRODUCTION, Cohort.STABLE, production.stream().filter(i -> !canary.contains(i)).toList(), drained,
                    lines);
        } catch (RuntimeException e) {
            System.err.println("metrics agent: " + e);
        }
    }

    /** Publishes what {@code instances} measured in this window as one cohort of {@code environment}, if they served any request. */
    private void publish(Release current, Instant end, Environment environment, Cohort cohort, List<String> instances,
            Map<String, Measured> drained, Map<String, Long> lines) {
        Measured m = new Measured();
        instances.stream().map(drained::get).filter(java.util.Objects::nonNull).forEach(m::add);
        if (m.requests == 0) {
            return;
        }
        boolean counted = instances.stream().anyMatch(lines::containsKey);
        long errorLines = cohort == Cohort.BASELINE ? 0 : instances.stream().mapToLong(i -> lines.getOrDefault(i, 0L)).sum();
        publish.accept(MetricSample.newBuilder()
                .setEventId(UUID.randomUUID())
                .setReleaseId(current.releaseId())
                .setOccurredAt(end)
                .setCausationId(null)
                .setService(current.service())
                .setEnvironment(environment)
                .setVersion(cohort == Cohort.CANARY ? current.version() : instances.stream().map(versions::get)
                        .filter(java.util.Objects::nonNull).findFirst().orElse(current.version()))
                .setCohort(cohort)
                .setWindowStart(end.minus(window))
                .setWindowEnd(end)
                .setRequestCount(m.requests)
                .setErrorCount(m.errors)
                .setLatencyMillis(m.latencies)
                .setNewErrorLogLines(errorLines)
                .setNewWarnLogLines(0L)
                .setLogLinesCounted(counted)
                .build());
    }

    /** ERROR log lines each instance reported since the last window (a restarted instance counts from zero). */
    private Map<String, Long> newErrorLines() {
        Map<String, Long> fresh = new HashMap<>();
        List<String> instances = new ArrayList<>(production);
        instances.add(staging);
        for (String instance : instances) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(sample.url(instance, "/metrics")))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                Matcher v = VERSION.matcher(response.body());
                if (v.find()) {
                    versions.put(instance, v.group(1));
                }
                Matcher m = ERROR_LINES.matcher(response.body());
                long now = m.find() ? Long.parseLong(m.group(1)) : 0;
                long before = errorLines.getOrDefault(instance, 0L);
                errorLines.put(instance, now);
                long delta = now >= before ? now - before : now;
                fresh.put(instance, delta);
            } catch (IOException e) {
                // the instance is being redeployed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return fresh;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        senders.shutdownNow();
    }
}
