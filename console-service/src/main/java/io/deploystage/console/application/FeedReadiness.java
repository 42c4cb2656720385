package io.deploystage.console.application;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the console has read the topics up to where they were when it started (a follower then sees it all). */
@Readiness
@ApplicationScoped
public class FeedReadiness implements HealthCheck {

    private final EventFeed feed;

    FeedReadiness(EventFeed feed) {
        this.feed = feed;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("console events").status(feed.caughtUp()).build();
    }
}
