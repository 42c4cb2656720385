package io.deploystage.notifier.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Destinations, routing and the retry budget of notifications. */
@ConfigMapping(prefix = "notifier")
public interface NotifierConfig {

    /** Destinations by name. */
    Map<String, Destination> destinations();

    /** Destination names by service; the key "*" applies to every service. */
    Map<String, List<String>> routes();

    /**
     * Destinations some kinds of event also go to, whatever the service: by notice kind (deployed, not-deployed,
     * blocked, rollback-ordered, rollback-failed), e.g. {@code notifier.on.rollback-ordered=oncall},
     * {@code notifier.on.rollback-failed=pager} (a pagerduty destination: the escalation contact is paged).
     */
    Map<String, List<String>> on();

    /** Base URL under which plans and their artifacts are served (the planner), for links in messages. */
    Optional<String> plansBaseUrl();

    Retry retry();

    /** One destination. */
    interface Destination {
        /**
         * log, webhook (generic, signed), slack or teams (incoming webhooks), changelog (a git repository), github or
         * jira (issue trackers: url is the API base, e.g. https://api.github.com or https://example.atlassian.net), pagerduty
         * (Events API v2: url https://events.pagerduty.com/v2/enqueue, token the integration's routing key).
         */
        String kind();

        /** Where to POST; not used by log. */
        Optional<String> url();

        /** HMAC secret of a generic webhook. Never logged. */
        Optional<String> secret();

        /** For kind changelog: a local git repository, or a remote one (https://, ssh:// or file:// URL, pushed to). For kind github: owner/name. */
        Optional<String> repository();

        /** API token of a tracker (github: a token with issues and contents write; jira: an API token), or PagerDuty's routing key. Never logged. */
        Optional<String> token();

        /** Jira user the token belongs to (Basic authentication); without it the token is sent as a Bearer token. */
        Optional<String> user();

        /** Jira transition id that resolves an issue (e.g. "31" for Done). */
        Optional<String> transition();

        /** Jira project key for flag cleanup tickets; a release may name issues of this project. */
        Optional<String> project();

        /** For kind github: repositories besides {@link #repository()} whose issues a release may name (owner/name). */
        Optional<List<String>> repositories();

        /** For kind jira: project keys besides {@link #project()} whose issues a release may name. */
        Optional<List<String>> projects();
    }

    /** Per destination: after this many failed attempts in a row, stop sending to it for {@link #breakerCooldown()}. */
    @WithDefault("5")
    int breakerThreshold();

    @WithDefault("30s")
    Duration breakerCooldown();

    /**
     * Test hook, a release-id prefix: halt the JVM right after a send for such a release, before it is recorded (a crash
     * between the two), when this instance created the delivery (a restarted instance records it normally). Off by default.
     */
    Optional<String> haltAfterSendFor();

    /** The retry budget per delivery. */
    interface Retry {
        /** Attempts before a delivery is FAILED. */
        @WithDefault("6")
        int attempts();

        /** First back-off; doubled each attempt, with full jitter. */
        @WithDefault("200ms")
        Duration base();

        /** Longest back-off. */
        @WithDefault("30s")
        @WithName("max")
        Duration maxDelay();

        /** Timeout of one attempt. */
        @WithDefault("5s")
        Duration timeout();
    }

    default List<String> routeFor(String service) {
        return routes().getOrDefault(service, routes().getOrDefault("*", List.of()));
    }

    /** The service's route, and the destinations this kind of event also goes to, each once. */
    default List<String> routeFor(String service, String kind) {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(routeFor(service));
        all.addAll(on().getOrDefault(kind, List.of()));
        return List.copyOf(all);
    }
}
