package io.deploystage.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.deploystage.events.Cohort;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.Environment;
import io.deploystage.events.HealthVerdict;
import io.deploystage.events.MetricQuery;
import io.deploystage.events.MetricSample;
import io.deploystage.events.RollbackCommand;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Topics;
import io.deploystage.events.Verdict;
import io.deploystage.stack.Await;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.Prometheus;
import io.deploystage.stack.RealStackTest;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The pull sources against real processes: PromQL against a real Prometheus scraping the sample service, and a
 * direct scrape of the sample's /metrics. Each: the pre-deploy baseline is read when the plan arrives, windows after
 * the first production step are judged HEALTHY while 1.0.0 runs, and a deploy of the faulty 1.2.0 rolls back.
 */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "monitor"))
@WithTestResource(SampleMetricsResource.class)
class MonitorPullSourcesTest extends RealStackTest {

    /**
     * The Prometheus these tests query is secured as hosted ones are (TLS with its own CA, HTTP basic): it refuses a query
     * without the login, so every PromQL verdict below was read with the monitor's prometheus-access settings.
     */
    @Test
    void theSecuredPrometheusRefusesAQueryWithoutTheLogin() throws Exception {
        HttpResponse<String> anonymous = SampleMetricsResource.prometheus.client().send(HttpRequest.newBuilder(URI.create(
                SampleMetricsResource.prometheus.url() + "/api/v1/query?query=up")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertTrue(SampleMetricsResource.prometheus.url().startsWith("https://"));
    }

    @Test
    void prometheusQueriesAgainstARealPrometheus() {
        Await.until(Duration.ofSeconds(60), "Prometheus to hold 200 of the sample's requests in its last 30 s",
                () -> promql("sum(increase(sample_requests_total[30s]))"), value -> value > 200);
        Map<String, String> queries = Map.of(
                "requests", "sum(increase(sample_requests_total[{window}]))",
                "errors", "sum(increase(sample_requests_total{status=\"500\"}[{window}]))",
                "latency_buckets", "sum by (le) (increase(sample_request_duration_seconds_bucket[{window}]))",
                "error_log_lines", "sum(increase(sample_log_lines_total{level=\"ERROR\"}[{window}]))",
                "business.orders", "sum(increase(sample_orders_total[{window}]))");
        watchDeployAndBreak("prom-", queries, "prod-1");
    }

    @Test
    void aDirectScrapeOfTheInstances() {
        Map<String, String> queries = Map.of(
                "scrape", SampleMetricsResource.sample.url("prod-2", "/metrics"),
                "requests", "sample_requests_total",
                "errors", "sample_requests_total{status=\"500\"}",
                "latency_buckets", "sample_request_duration_seconds_bucket",
                "error_log_lines", "sample_log_lines_total{level=\"ERROR\"}",
                "business.orders", "sample_orders_total");
        watchDeployAndBreak("scrape-", queries, "prod-2");
    }

    private void watchDeployAndBreak(String prefix, Map<String, String> queries, String instance) {
        String releaseId = prefix + UUID.randomUUID();
        DeploymentPlan plan = MonitorFlowTest.plan(releaseId);
        plan.getHealthChecks().forEach(check -> {
            check.setMinSamples(20);
            check.setThreshold(check.getMetric() == io.deploystage.events.MetricKind.ERROR_RATE ? 5.0 : 2_000);
            check.setMaxRelativeDegradation(1.0);
        });
        plan.setMetricQueries(queries.entrySet().stream().map(q -> MetricQuery.newBuilder().setEnvironment(Environment.PRODUCTION)
                .setName(q.getKey()).setQuery(q.getValue()).build()).toList());
        try (var reader = client.reader(List.of(Topics.METRIC_SAMPLES, Topics.HEALTH_VERDICTS, Topics.ROLLBACK_COMMANDS))) {
            client.publish(plan);
            MetricSample baseline = samples(reader.awaitUntil(records -> samples(records, releaseId, Cohort.BASELINE).size() >= 1,
                    Duration.ofSeconds(30), "the pulled baseline"), releaseId, Cohort.BASELINE).get(0);
            assertTrue(baseline.getRequestCount() > 100, "the baseline counts the requests before the plan: " + baseline.getRequestCount());
            assertEquals(0, baseline.getErrorCount(), "1.0.0 fails nothing");
            assertTrue(!baseline.getLatencyMillis().isEmpty(), "latencies from the histogram buckets");
            assertTrue(baseline.getBusinessMetrics().get("orders") > 1, "orders per second: " + baseline.getBusinessMetrics());

            client.publish(productionStarted(plan));
            reader.awaitUntil(records -> verdicts(records, releaseId).stream().anyMatch(v -> v.getCheck().equals("ERROR_RATE")
                    && v.getVerdict() == Verdict.HEALTHY && v.getSampleCount() >= 20), Duration.ofSeconds(30), "a HEALTHY pulled window");
            assertTrue(samples(reader.seen(), releaseId, Cohort.CANARY).stream().allMatch(s -> s.getErrorCount() == 0));

            SampleMetricsResource.sample.deploy("production", instance, "1.2.0", ProcessHandle.current().pid());
            List<ConsumerRecord<String, Object>> seen = reader.awaitUntil(records -> records.stream()
                    .anyMatch(r -> r.value() instanceof RollbackCommand c && c.getReleaseId().equals(releaseId))
                    && samples(records, releaseId, Cohort.CANARY).stream().anyMatch(s -> s.getErrorCount() > 0), Duration.ofSeconds(40),
                    "the rollback after 1.2.0 went out, and the pulled window that counted its failed payments");
            RollbackCommand rollback = seen.stream().map(ConsumerRecord::value).filter(RollbackCommand.class::isInstance)
                    .map(RollbackCommand.class::cast).filter(c -> c.getReleaseId().equals(releaseId)).findFirst().orElseThrow();
            assertTrue(rollback.getReason().contains("error rate"), rollback.getReason());
            assertTrue(samples(seen, releaseId, Cohort.CANARY).stream().anyMatch(s -> s.getErrorCount() > 0), "failed card payments counted");
        } finally {
            SampleMetricsResource.sample.deploy("production", instance, "1.0.0", ProcessHandle.current().pid());
        }
    }

    private static StepEvent productionStarted(DeploymentPlan plan) {
        return StepEvent.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(plan.getReleaseId()).setOccurredAt(Instant.now())
                .setCausationId(plan.getEventId().toString()).setDeploymentId(plan.getEventId().toString()).setStepId("prod-deploy-1")
                .setEnvironment(Environment.PRODUCTION).setStatus(StepStatus.STARTED).setAction("Deploy 1.2.0 to prod-1").build();
    }

    private static List<MetricSample> samples(List<ConsumerRecord<String, Object>> records, String releaseId, Cohort cohort) {
        return records.stream().map(ConsumerRecord::value).filter(MetricSample.class::isInstance).map(MetricSample.class::cast)
                .filter(s -> s.getReleaseId().equals(releaseId) && s.getCohort() == cohort).toList();
    }

    private static List<HealthVerdict> verdicts(List<ConsumerRecord<String, Object>> records, String releaseId) {
        return records.stream().map(ConsumerRecord::value).filter(HealthVerdict.class::isInstance).map(HealthVerdict.class::cast)
                .filter(v -> v.getReleaseId().equals(releaseId)).toList();
    }

    private static double promql(String query) {
        try {
            Prometheus.Access access = SampleMetricsResource.prometheus.access();
            HttpResponse<String> response = SampleMetricsResource.prometheus.client().send(HttpRequest.newBuilder(URI.create(
                    SampleMetricsResource.prometheus.url() + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((access.username() + ":" + access.password())
                            .getBytes(StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
            var matcher = java.util.regex.Pattern.compile("\"value\":\\[[0-9.]+,\"([0-9.eE+-]+)\"\\]").matcher(response.body());
            return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
        } catch (java.io.IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
