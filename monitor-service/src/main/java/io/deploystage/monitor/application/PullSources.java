package io.deploystage.monitor.application;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import io.deploystage.platform.http.BoundedHttp;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.deploystage.events.Cohort;
import io.deploystage.events.Environment;
import io.deploystage.events.MetricQueryNames;
import io.deploystage.events.MetricSample;
import io.deploystage.events.Topics;
import io.deploystage.monitor.config.MonitorConfig;
import io.deploystage.monitor.domain.HttpLogin;
import io.deploystage.monitor.domain.MetricsText;
import io.deploystage.monitor.domain.PullQuery;
import io.deploystage.monitor.domain.Reading;
import io.deploystage.monitor.persistence.WatchedDeploymentEntity;
import io.deploystage.platform.domain.Texts;
import io.deploystage.platform.outbox.Outbox;
import io.deploystage.platform.outbox.OutboxRelay;
import io.deploystage.platform.persistence.JsonText;
import io.deploystage.platform.runtime.OffLoop;
import io.deploystage.platform.runtime.PeriodicTask;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.vertx.core.Vertx;

/**
 * The pull sources: for each watched deployment whose plan names metric queries, every poll interval, either the
 * Prometheus HTTP API is queried (PromQL, {window} replaced by the interval) or the instances' metrics endpoints are
 * scraped and the difference with the previous scrape taken. What is read becomes a MetricSample, published through
 * the outbox, so a pulled window is judged, kept and partitioned exactly as a pushed one.
 *
 * <p>Baseline: when a deployment is first seen, before its steps touch an environment, Prometheus is asked for the
 * baseline window (15 minutes) and a scrape takes the totals since the instance started; later windows are BASELINE
 * until a step touches the environment and CANARY after. An instance polls only the releases whose metric-samples
 * partition it is assigned, so several monitors share the work without reading a deployment twice.
 */
@ApplicationScoped
public class PullSources {

    private static final Logger LOG = Logger.getLogger(PullSources.class);
    private static final TypeReference<List<PullQuery>> QUERIES = new TypeReference<>() { };
    private static final int MAX_LATENCIES = 10_000;

    private final MonitorConfig config;
    private final Vertx vertx;
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final KafkaClientService kafka;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http;
    /** The Prometheus API's client (its CA) and login headers; the instances' direct scrapes get neither. */
    private final HttpClient prometheusHttp;
    private final Map<String, String> prometheusHeaders;
    /** The last scrape of each deployment, environment and URL, with when it was taken. */
    private final Map<String, Scrape> scrapes = new ConcurrentHashMap<>();
    /** Deployments and environments whose Prometheus baseline was read. */
    private final Set<String> baselined = ConcurrentHashMap.newKeySet();
    private volatile PeriodicTask task;
    private final io.deploystage.platform.http.UrlGuard urls;

    private record Scrape(Reading reading, Instant at) {
    }

    PullSources(MonitorConfig config, Vertx vertx, Outbox outbox, OutboxRelay relay, KafkaClientService kafka, io.deploystage.platform.http.UrlGuard urls) {
        this.urls = urls;
        this.config = config;
        this.vertx = vertx;
        this.outbox = outbox;
        this.relay = relay;
        this.kafka = kafka;
        this.http = HttpClient.newBuilder().connectTimeout(config.sources().timeout()).build();
        MonitorConfig.PrometheusAccess access = config.sources().prometheusAccess();
        this.prometheusHeaders = HttpLogin.headers(access.bearerToken(), access.username(), access.password(), access.headers());
        this.prometheusHttp = access.caFile().isEmpty() ? http
                : HttpClient.newBuilder().connectTimeout(config.sources().timeout()).sslContext(trusting(access.caFile().get())).build();
    }

    /** TLS that trusts the certificates of a PEM file (a private CA, a self-signed server). */
    private static javax.net.ssl.SSLContext trusting(java.nio.file.Path pem) {
        try (var in = java.nio.file.Files.newInputStream(pem)) {
            java.security.KeyStore trusted = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            trusted.load(null, null);
            int n = 0;
            for (var certificate : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + n++, certificate);
            }
            if (n == 0) {
                throw new IllegalArgumentException("monitor.sources.prometheus-access.ca-file " + pem + " holds no certificate");
            }
            javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            return tls;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("monitor.sources.prometheus-access.ca-file " + pem + " cannot be read: " + e.getMessage(), e);
        }
    }

    void start(@Observes StartupEvent started) {
        task = PeriodicTask.start("pull sources", vertx, config.sources().pollInterval(), this::pass);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (task != null) {
            task.stop();
        }
    }

    Uni<Void> pass() {
        Instant now = Instant.now();
        io.vertx.core.Context context = Vertx.currentContext();
        // the partition assignment is read on the Kafka polling thread: come back to this pass's context for the database
        return owned().emitOn(task -> context.runOnContext(ignored -> task.run())).chain(owns -> Panache.withSession(() -> WatchedDeploymentEntity.<WatchedDeploymentEntity>list(
                        "ended = false and metricQueries <> '[]' and (watchUntil is null or watchUntil > ?1)", now))
                .map(watches -> watches.stream().filter(w -> w.watching(now) && owns.test(w.releaseId)).toList()))
                .invoke(this::forgetOthers)
                .chain(watches -> watches.isEmpty() ? Uni.createFrom().item(List.<MetricSample>of())
                        : OffLoop.run(() -> watches.stream().flatMap(w -> read(w, now).stream()).toList()))
                .chain(samples -> samples.isEmpty() ? Uni.createFrom().voidItem()
                        : Panache.withTransaction(() -> outbox.stage(samples)).invoke(relay::wake));
    }

    /** Reads every environment of a deployment that has queries; a source that fails is logged and skipped this round. */
    private List<MetricSample> read(WatchedDeploymentEntity watched, Instant now) {
        Map<String, Map<String, String>> byEnvironment = new TreeMap<>();
        for (PullQuery query : JsonText.read(watched.metricQueries, QUERIES)) {
            byEnvironment.computeIfAbsent(query.environment(), e -> new HashMap<>()).put(query.name(), query.query());
        }
        List<MetricSample> samples = new ArrayList<>();
        byEnvironment.forEach((environment, queries) -> {
            try {
                MetricSample sample = queries.containsKey(MetricQueryNames.SCRAPE) ? scrape(watched, environment, queries, now)
                        : prometheus(watched, environment, queries, now);
                if (sample != null) {
                    samples.add(sample);
                }
            } catch (RuntimeException e) {
                LOG.warnf("Release %s: reading the %s metrics failed: %s", watched.releaseId, environment.toLowerCase(), e.getMessage());
            }
        });
        return samples;
    }

    private MetricSample prometheus(WatchedDeploymentEntity watched, String environment, Map<String, String> queries, Instant now) {
        String base = config.sources().prometheusUrl().orElse(null);
        if (base == null) {
            return null;
        }
        String key = watched.deploymentId + "/" + environment;
        boolean touched = watched.touched(environment);
        Duration window;
        Cohort cohort;
        if (!touched && !baselined.contains(key)) {
            window = config.sources().baselineWindow();
            cohort = Cohort.BASELINE;
        } else if (touched) {
            window = config.sources().pollInterval();
            cohort = Cohort.CANARY;
        } else {
            return null;
        }
        String range = Math.max(1, window.toSeconds()) + "s";
        Map<String, Double> business = new HashMap<>();
        queries.forEach((name, query) -> {
            if (name.startsWith(MetricQueryNames.BUSINESS_PREFIX)) {
                business.put(name.substring(MetricQueryNames.BUSINESS_PREFIX.length()), sum(promql(base, query, range, now)));
            }
        });
        Reading reading = new Reading(sum(promql(base, queries.get(MetricQueryNames.REQUESTS), range, now)),
                sum(promql(base, queries.get(MetricQueryNames.ERRORS), range, now)),
                buckets(promql(base, queries.get(MetricQueryNames.LATENCY_BUCKETS), range, now)),
                sum(promql(base, queries.get(MetricQueryNames.ERROR_LOG_LINES), range, now)), business);
        if (cohort == Cohort.BASELINE) {
            baselined.add(key); // only once it was read: a failed read is tried again on the next pass
        }
        return sample(watched, environment, cohort, now.minus(window), now, reading);
    }

    /** The result vector of an instant query at {@code at}, or an empty one when the query is absent. */
    private JsonNode promql(String base, String query, String range, Instant at) {
        if (query == null) {
            return json.createArrayNode();
        }
        String promql = query.replace("{window}", range);
        URI uri = URI.create(base.replaceAll("/+$", "") + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&time=" + at.getEpochSecond() + "." + String.format("%03d", at.getNano() / 1_000_000));
        String body = get(prometheusHttp, uri, 10_000_000, prometheusHeaders);
        try {
            JsonNode root = json.readTree(body);
            if (!"success".equals(root.path("status").asText())) {
                throw new IllegalStateException("Prometheus refused '" + abbreviate(promql) + "': " + abbreviate(root.path("error").asText()));
            }
            JsonNode data = root.path("data");
            return "scalar".equals(data.path("resultType").asText())
                    ? json.createArrayNode().add(json.createObjectNode().set("value", data.path("result")))
                    : data.path("result");
        } catch (IOException e) {
            throw new IllegalStateException("Prometheus answered something that is not JSON for '" + abbreviate(promql) + "'");
        }
    }

    private static double sum(JsonNode result) {
        double sum = 0;
        for (JsonNode series : result) {
            sum += value(series);
        }
        return sum;
    }

    private static NavigableMap<Double, Double> buckets(JsonNode result) {
        NavigableMap<Double, Double> buckets = new TreeMap<>();
        for (JsonNode series : result) {
            String le = series.path("metric").path("le").asText(null);
            if (le != null) {
                double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                buckets.merge(bound, value(series), Double::sum);
            }
        }
        return buckets;
    }

    private static double value(JsonNode series) {
        String text = series.path("value").path(1).asText("0");
        try {
            double value = Double.parseDouble(text);
            return Double.isFinite(value) ? value : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private MetricSample scrape(WatchedDeploymentEntity watched, String environment, Map<String, String> queries, Instant now) {
        boolean touched = watched.touched(environment);
        Reading total = null;
        Instant from = null;
        for (String target : queries.get(MetricQueryNames.SCRAPE).split(",")) {
            String url = target.trim();
            List<MetricsText.Series> series = MetricsText.parse(get(http, URI.create(url), config.sources().maxScrapeBytes(), Map.of()));
            Reading cumulative = reading(series, queries);
            Scrape previous = scrapes.put(watched.deploymentId + "/" + environment + "/" + url, new Scrape(cumulative, now));
            Reading window;
            Instant start;
            if (previous != null) {
                window = cumulative.since(previous.reading());
                start = previous.at();
            } else if (!touched) {
                double started = MetricsText.sum(series, MetricsText.Selector.parse("process_start_time_seconds"));
                if (started <= 0) {
                    continue; // no start time: the first scrape is only the reference for the next one
                }
                window = cumulative;
                start = Instant.ofEpochMilli((long) (started * 1000));
            } else {
                continue;
            }
            total = total == null ? window : plus(total, window);
            from = from == null || start.isBefore(from) ? start : from;
        }
        return total == null ? null : sample(watched, environment, touched ? Cohort.CANARY : Cohort.BASELINE, from, now, total);
    }

    private static Reading reading(List<MetricsText.Series> series, Map<String, String> queries) {
        Map<String, Double> business = new HashMap<>();
        queries.forEach((name, selector) -> {
            if (name.startsWith(MetricQueryNames.BUSINESS_PREFIX)) {
                business.put(name.substring(MetricQueryNames.BUSINESS_PREFIX.length()), MetricsText.sum(series, MetricsText.Selector.parse(selector)));
            }
        });
        return new Reading(measure(series, queries.get(MetricQueryNames.REQUESTS)), measure(series, queries.get(MetricQueryNames.ERRORS)),
                queries.get(MetricQueryNames.LATENCY_BUCKETS) == null ? new TreeMap<>()
                        : MetricsText.buckets(series, MetricsText.Selector.parse(queries.get(MetricQueryNames.LATENCY_BUCKETS))),
                measure(series, queries.get(MetricQueryNames.ERROR_LOG_LINES)), business);
    }

    private static double measure(List<MetricsText.Series> series, String selector) {
        return selector == null ? 0 : MetricsText.sum(series, MetricsText.Selector.parse(selector));
    }

    private static Reading plus(Reading a, Reading b) {
        NavigableMap<Double, Double> buckets = new TreeMap<>(a.buckets());
        b.buckets().forEach((bound, count) -> buckets.merge(bound, count, Double::sum));
        Map<String, Double> business = new HashMap<>(a.business());
        b.business().forEach((name, value) -> business.merge(name, value, Double::sum));
        return new Reading(a.requests() + b.requests(), a.errors() + b.errors(), buckets, a.errorLines() + b.errorLines(), business);
    }

    /** A window read by a pull source, as the MetricSample a pushing agent would have sent; business counters become rates. */
    private static MetricSample sample(WatchedDeploymentEntity watched, String environment, Cohort cohort, Instant start, Instant end,
            Reading reading) {
        double seconds = Math.max(0.001, Duration.between(start, end).toMillis() / 1000.0);
        long requests = Math.round(reading.requests());
        Map<String, Double> rates = reading.business().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() / seconds));
        List<Double> latencies = new ArrayList<>();
        for (double ms : reading.latenciesMs(MAX_LATENCIES)) {
            latencies.add(ms);
        }
        return MetricSample.newBuilder()
                .setEventId(UUID.randomUUID())
                .setReleaseId(watched.releaseId)
                .setOccurredAt(end)
                .setService(watched.service)
                .setEnvironment(Environment.valueOf(environment))
                .setVersion(cohort == Cohort.BASELINE || watched.version == null ? "pre-deploy" : watched.version)
                .setCohort(cohort)
                .setWindowStart(start)
                .setWindowEnd(end)
                .setRequestCount(requests)
                .setErrorCount(Math.min(requests, Math.round(reading.errors())))
                .setLatencyMillis(latencies)
                .setBusinessMetrics(rates)
                .setNewErrorLogLines(Math.round(reading.errorLines()))
                .build();
    }

    private String get(HttpClient client, URI uri, int maxBytes, Map<String, String> headers) {
        String refused = urls.refusal(uri.toString());
        if (refused != null) {
            throw new IllegalArgumentException("refused: " + abbreviate(refused));
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(config.sources().timeout()).GET();
        headers.forEach(builder::header);
        HttpRequest request = builder.build();
        try {
            // the whole answer within the source timeout, at most maxBytes of it
            BoundedHttp.Answer response = BoundedHttp.exchange(client, request, maxBytes, config.sources().timeout());
            byte[] bytes = response.body();
            if (response.truncated()) {
                // cut at the last whole line: a number cut short would read as a counter reset
                int end = maxBytes;
                while (end > 0 && bytes[end - 1] != '\n') {
                    end--;
                }
                bytes = java.util.Arrays.copyOf(bytes, end);
            }
            if (response.status() / 100 != 2) {
                throw new IllegalStateException(uri.getHost() + ":" + uri.getPort() + uri.getPath() + " answered " + response.status());
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + uri.getHost() + ":" + uri.getPort() + uri.getPath() + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** Whether this instance reads a release: its metric-samples partition is assigned here (all of them when alone). */
    private Uni<java.util.function.Predicate<String>> owned() {
        var consumer = kafka.getConsumer(Topics.METRIC_SAMPLES);
        if (consumer == null) {
            return Uni.createFrom().item(releaseId -> false);
        }
        return consumer.getAssignments().chain(assigned -> consumer.partitionsFor(Topics.METRIC_SAMPLES).map(partitions -> {
            Set<Integer> mine = assigned.stream().filter(p -> p.topic().equals(Topics.METRIC_SAMPLES)).map(TopicPartition::partition)
                    .collect(Collectors.toSet());
            int count = partitions.size();
            return releaseId -> count > 0 && mine.contains(Utils.toPositive(Utils.murmur2(releaseId.getBytes(StandardCharsets.UTF_8))) % count);
        }));
    }

    /** Drops what is kept for deployments no longer read (bounded memory over a long run). */
    private void forgetOthers(List<WatchedDeploymentEntity> watched) {
        Set<String> read = watched.stream().map(w -> w.deploymentId + "/").collect(Collectors.toSet());
        scrapes.keySet().removeIf(key -> read.stream().noneMatch(key::startsWith));
        baselined.removeIf(key -> read.stream().noneMatch(key::startsWith));
    }

    private static String abbreviate(String text) {
        return text == null ? "" : Texts.abbreviate(text, 120);
    }

}
