package io.deploystage.executor.bench;

import static io.restassured.RestAssured.given;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.Environment;
import io.deploystage.events.OperatorAction;
import io.deploystage.events.OperatorCommand;
import io.deploystage.events.PlanStep;
import io.deploystage.events.RiskLevel;
import io.deploystage.events.RollbackCommand;
import io.deploystage.events.StepEvent;
import io.deploystage.events.StepKind;
import io.deploystage.events.StepStatus;
import io.deploystage.events.Strategy;
import io.deploystage.events.Topics;
import io.deploystage.executor.SampleToolsResource;
import io.deploystage.stack.EventClient;
import io.deploystage.stack.LocalStack;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.Percentiles;
import io.deploystage.stack.RealStackTest;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The executor's speed targets, on the real stack:
 * <ul>
 * <li>RollbackCommand received to first rollback step started (target p99 <= 50 ms), from the executor's own records
 * (the command's receipt and the step's start), and end to end from publish to the STARTED event;</li>
 * <li>kill switch to flipped flag evaluation (target p99 <= 100 ms), through REST and through Kafka;</li>
 * <li>OFREP evaluations per second (the load generator shares this JVM and the machine's 2 cores).</li>
 * </ul>
 * Run on purpose: ./mvnw -B -Pbench -pl executor-service -am verify -Dtest=ExecutorBench -Dsurefire.failIfNoSpecifiedTests=false
 */
@Tag("bench")
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "executor"))
@WithTestResource(SampleToolsResource.class)
class ExecutorBench extends RealStackTest {

    @Test
    void rollbackCommandToFirstRollbackStep() throws Exception {
        int n = Integer.getInteger("bench.rollbacks", 100);
        measureRollbacks(10, "warm-up");
        measureRollbacks(n, "measured");
    }

    private void measureRollbacks(int n, String label) throws Exception {
        List<Long> internal = new ArrayList<>();
        List<Long> endToEnd = new ArrayList<>();
        try (EventClient.Reader reader = client.reader(List.of(Topics.STEP_EVENTS));
                Connection db = DriverManager.getConnection(LocalStackResource.stack().postgres().jdbcUrl("executor"),
                        LocalStackResource.stack().postgres().user(), LocalStackResource.stack().postgres().password())) {
            for (int i = 0; i < n; i++) {
                DeploymentPlan plan = waitingPlan("bench-rollback-" + i % 20);
                String id = plan.getEventId().toString();
                client.publish(plan);
                reader.awaitUntil(seen -> started(seen, id, "senior-approval"), Duration.ofSeconds(30), "the approval wait");
                long sent = System.currentTimeMillis();
                client.publish(RollbackCommand.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(plan.getReleaseId())
                        .setOccurredAt(Instant.ofEpochMilli(sent)).setCausationId(null).setDeploymentId(id).setRequestedBy("bench")
                        .setReason("bench").build());
                var seen = reader.awaitUntil(s -> started(s, id, "rollback-notify"), Duration.ofSeconds(30), "the first rollback step");
                StepEvent first = seen.stream().map(r -> r.value()).filter(StepEvent.class::isInstance).map(StepEvent.class::cast)
                        .filter(s -> s.getDeploymentId().equals(id) && s.getStepId().equals("rollback-notify")).findFirst().orElseThrow();
                endToEnd.add(first.getOccurredAt().toEpochMilli() - sent);
                internal.add(receiptToStart(db, id));
            }
        }
        System.out.printf("%nRollbackCommand -> first rollback step STARTED (%s, %d rollbacks)%n", label, n);
        System.out.printf("  received by the executor -> step started (executor's records): %s%n", Percentiles.summary(internal, "ms"));
        System.out.printf("  published -> STARTED event written (end to end, through Kafka): %s%n", Percentiles.summary(endToEnd, "ms"));
    }

    /** From the executor's receipt of the command to the start of the first rollback step, in its own database (microseconds there). */
    private static long receiptToStart(Connection db, String id) throws Exception {
        try (PreparedStatement query = db.prepareStatement("select extract(epoch from (s.started_at - c.received_at)) * 1000 from deployment_step s"
                + " join deployment_command c on c.deployment_id = ? and c.kind = 'ROLLBACK'"
                + " where s.deployment_id = ?::uuid and s.phase = 'ROLLBACK' and s.step_index = 0")) {
            query.setString(1, id);
            query.setString(2, id);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return Math.round(rows.getDouble(1));
            }
        }
    }

    private static boolean started(List<org.apache.kafka.clients.consumer.ConsumerRecord<String, Object>> seen, String id, String step) {
        return seen.stream().anyMatch(r -> r.value() instanceof StepEvent s && s.getDeploymentId().equals(id) && s.getStepId().equals(step)
                && s.getStatus() == StepStatus.STARTED);
    }

    /** Staging check, then an approval that waits for ever; its rollback procedure is a notification. */
    private static DeploymentPlan waitingPlan(String service) {
        UUID id = UUID.randomUUID();
        PlanStep staging = PlanStep.newBuilder().setStepId("staging-notify").setEnvironment(Environment.STAGING).setKind(StepKind.NOTIFY)
                .setAction("staging").setCommand(List.of("#team")).setExpectedOutcome("ok").setIdempotent(true).build();
        PlanStep approval = PlanStep.newBuilder().setStepId("senior-approval").setEnvironment(Environment.PRODUCTION)
                .setKind(StepKind.APPROVAL).setAction("approve").setCommand(List.of()).setExpectedOutcome("approved").setIdempotent(true).build();
        PlanStep notify = PlanStep.newBuilder().setStepId("rollback-notify").setEnvironment(Environment.PRODUCTION).setKind(StepKind.NOTIFY)
                .setAction("Notify team of rollback").setCommand(List.of("#team")).setExpectedOutcome("aware").setIdempotent(true).build();
        return DeploymentPlan.newBuilder().setEventId(id).setReleaseId("rel-" + id).setOccurredAt(Instant.now()).setCausationId(null)
                .setService(service).setVersion("1.0.0").setRisk(RiskLevel.LOW).setStrategy(Strategy.CANARY).setRationale("bench")
                .setSteps(List.of(staging, approval)).setRollbackProcedure(List.of(notify)).setDeploymentChecklist("c").setRollbackPlan("r")
                .build();
    }

    @Test
    void killSwitchToFlippedEvaluation() throws Exception {
        int n = Integer.getInteger("bench.kills", 100);
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://localhost:" + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        for (String via : List.of("REST", "Kafka")) {
            List<Long> flips = new ArrayList<>();
            for (int i = 0; i < n + 10; i++) {
                String key = "bench-kill-" + via.toLowerCase() + "-" + i + "-" + UUID.randomUUID().toString().substring(0, 6);
                given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON)
                        .body(Map.of("enabled", true, "internalEnabled", false, "internalUsers", List.of(), "rolloutPercent", 100))
                        .put("/flags/{key}", key).then().statusCode(200);
                long start = System.nanoTime();
                if (via.equals("REST")) {
                    http.send(HttpRequest.newBuilder(URI.create(base + "/flags/" + key + "/kill"))
                            .header("Authorization", "Bearer " + token("olga", "operator")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.discarding());
                } else {
                    client.publish(OperatorCommand.newBuilder().setEventId(UUID.randomUUID()).setReleaseId("flags").setOccurredAt(Instant.now())
                            .setCausationId(null).setDeploymentId("none").setAction(OperatorAction.FLAG_KILL).setOperator("olga")
                            .setFlagKey(key).build());
                }
                long deadline = start + Duration.ofSeconds(10).toNanos();
                while (evaluate(http, base, key)) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("flag " + key + " still evaluates on 10 s after its kill via " + via);
                    }
                    LocalStack.pause(1); // 1 ms steps: the kill switch is timed in microseconds
                }
                if (i >= 10) {
                    flips.add((System.nanoTime() - start) / 1_000);
                }
            }
            System.out.printf("%nKill switch via %s -> first evaluation that is off: %s%n", via, Percentiles.summary(flips, "µs"));
        }
    }

    private static boolean evaluate(HttpClient http, String base, String key) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/ofrep/v1/evaluate/flags/" + key))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"context\":{\"targetingKey\":\"u1\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        return response.body().contains("\"value\":true");
    }

    @Test
    void ofrepEvaluationsPerSecond() throws Exception {
        String key = "bench-ofrep-" + UUID.randomUUID().toString().substring(0, 6);
        given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON)
                .body(Map.of("enabled", true, "internalEnabled", false, "internalUsers", List.of(), "rolloutPercent", 50))
                .put("/flags/{key}", key).then().statusCode(200);
        String base = "http://localhost:" + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        int clients = Integer.getInteger("bench.clients", 16);
        for (int seconds : List.of(5, Integer.getInteger("bench.seconds", 15))) {
            AtomicLong done = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            for (int c = 0; c < clients; c++) {
                int client = c;
                pool.submit(() -> {
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    int i = 0;
                    while (System.nanoTime() < end) {
                        try {
                            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(base + "/ofrep/v1/evaluate/flags/" + key))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"context\":{\"targetingKey\":\"user-" + client + "-" + i++ + "\"}}"))
                                    .build(), HttpResponse.BodyHandlers.discarding());
                            (response.statusCode() == 200 ? done : errors).incrementAndGet();
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            pool.shutdown();
            pool.awaitTermination(seconds + 30, TimeUnit.SECONDS);
            System.out.printf("%nOFREP single-flag evaluations, %d clients, %d s: %.0f evaluations/s, %d errors (server and load generator share %d"
                    + " cores)%n", clients, seconds, done.get() / (double) seconds, errors.get(), Runtime.getRuntime().availableProcessors());
        }
    }
}
