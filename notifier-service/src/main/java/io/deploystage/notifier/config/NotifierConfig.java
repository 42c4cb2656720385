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

    /** Base URL under which plans and their artifacts are served (the planner), for links in messages. */
    Optional<String> plansBaseUrl();

    Retry retry();

    /** One destination. */
    interface Destination {
        /** log, webhook (generic, signed), slack or teams (incoming webhooks), or changelog (a git repository). */
        String kind();

        /** Where to POST; not used by log. */
        Optional<String> url();

        /** HMAC secret of a generic webhook. Never logged. */
        Optional<String> secret();

        /** A local git repository, for kind changelog. */
        Optional<String> repository();
    }

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
}
