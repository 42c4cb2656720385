package io.deploystage.notifier.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.deploystage.notifier.domain.TrackerRequests.Request;

class TrackersAndBreakerTest {

    @Test
    void githubCommentsOnAndClosesEachIssueOfItsConfiguredRepositoriesThenPublishesTheRelease() {
        List<Request> requests = TrackerRequests.githubDeployed("https://api.github.com/", "acme/checkout", java.util.Set.of("acme/payments"),
                List.of("#12", "acme/payments#7", "evil/elsewhere#1", "CHK-3", "not an issue"), "checkout", "1.5.0", "r1", "## [1.5.0] - 2026-11-27");
        assertEquals(List.of("POST https://api.github.com/repos/acme/checkout/issues/12/comments",
                "PATCH https://api.github.com/repos/acme/checkout/issues/12",
                "POST https://api.github.com/repos/acme/payments/issues/7/comments",
                "PATCH https://api.github.com/repos/acme/payments/issues/7",
                "POST https://api.github.com/repos/acme/checkout/releases"), requests.stream().map(r -> r.method() + " " + r.url()).toList());
        assertEquals(Map.of("state", "closed", "state_reason", "completed"), requests.get(1).body());
        assertEquals("v1.5.0", requests.get(4).body().get("tag_name"));
        assertEquals("## [1.5.0] - 2026-11-27", requests.get(4).body().get("body"));
    }

    @Test
    void jiraCommentsAndTransitionsTheKeysOfItsConfiguredProjectsOnly() {
        List<Request> requests = TrackerRequests.jiraDeployed("https://acme.atlassian.net", java.util.Set.of("CHK"), List.of("CHK-3", "#12", "HR-9"),
                "31", "checkout", "1.5.0", "r1");
        assertEquals(List.of("POST https://acme.atlassian.net/rest/api/2/issue/CHK-3/comment",
                "POST https://acme.atlassian.net/rest/api/2/issue/CHK-3/transitions"), requests.stream().map(r -> r.method() + " " + r.url()).toList());
        assertEquals(Map.of("transition", Map.of("id", "31")), requests.get(1).body());
        assertEquals(1, TrackerRequests.jiraDeployed("https://j", java.util.Set.of("CHK"), List.of("CHK-3"), null, "s", "1", "r").size(),
                "no transition configured");
        assertEquals(List.of(), TrackerRequests.jiraDeployed("https://j", java.util.Set.of(), List.of("CHK-3"), null, "s", "1", "r"),
                "no project configured: no issue may be named");
    }

    @Test
    void aFlagAt100PercentGetsACleanupTicket() {
        Request github = TrackerRequests.flagCleanup("github", "https://api.github.com", "acme/checkout", "new-flow", "checkout");
        assertEquals("https://api.github.com/repos/acme/checkout/issues", github.url());
        assertEquals("Remove feature flag new-flow from checkout", github.body().get("title"));
        Request jira = TrackerRequests.flagCleanup("jira", "https://acme.atlassian.net", "CHK", "new-flow", "checkout");
        assertEquals("https://acme.atlassian.net/rest/api/2/issue", jira.url());
        assertTrue(jira.body().toString().contains("key=CHK"), jira.body().toString());
    }

    @Test
    void theBreakerOpensAfterTheThresholdAndLetsOneAttemptThroughAfterTheCooldown() {
        CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(30));
        Instant t = Instant.parse("2026-11-27T12:00:00Z");
        assertFalse(breaker.failed(t));
        assertFalse(breaker.failed(t));
        assertNull(breaker.blockedUntil(t), "closed below the threshold");
        assertTrue(breaker.failed(t), "the third failure opens it");
        assertEquals(t.plusSeconds(30), breaker.blockedUntil(t.plusSeconds(10)));
        assertNull(breaker.blockedUntil(t.plusSeconds(30)), "half-open after the cooldown: one attempt may go");
        assertTrue(breaker.failed(t.plusSeconds(30)), "a failed probe opens it again");
        assertEquals(t.plusSeconds(60), breaker.blockedUntil(t.plusSeconds(31)));
        breaker.succeeded();
        assertNull(breaker.blockedUntil(t.plusSeconds(31)), "a success closes it");
        assertFalse(breaker.failed(t.plusSeconds(32)), "and the count starts again");
    }
}
