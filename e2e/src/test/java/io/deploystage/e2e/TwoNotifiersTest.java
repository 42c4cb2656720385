package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.Strategy;
import io.deploystage.stack.Await;
import io.deploystage.stack.ServiceProcess;

/**
 * Two notifier instances on one database both poll the same due deliveries: each delivery is claimed by one of them
 * (one conditional update), so a receiver without idempotency keys (Slack) gets every message exactly once.
 */
@Isolated
class TwoNotifiersTest {

    /** The service whose notices go to the Slack channel {@link #ROUTE} on the system's receiver (RunningSystem). */
    static final String SERVICE = "two-svc";
    static final String ROUTE = "twice";

    @Test
    void twoInstancesSendEveryNotificationOnce() throws Exception {
        RunningSystem system = RunningSystem.get();
        ServiceProcess second = system.another("notifier-service", "second-notifier");
        try {
            second.start();
            List<String> releases = java.util.stream.IntStream.range(0, 20).mapToObj(i -> "twice-" + UUID.randomUUID()).toList();
            for (String releaseId : releases) {
                system.client.publish(DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId)
                        .setOccurredAt(Instant.now()).setDeploymentId(UUID.randomUUID().toString()).setService(SERVICE).setVersion("1.0.0")
                        .setStrategy(Strategy.ROLLING).setOutcome(DeploymentResult.DEPLOYED).build());
            }
            Await.until(Duration.ofSeconds(60), "a message for each of the 20 releases",
                    () -> releases.stream().allMatch(r -> received(system).stream().anyMatch(body -> body.contains(r))));
            io.deploystage.stack.LocalStack.pause(3_000); // both instances look for due deliveries at least every second: time for a second send
            List<String> received = received(system);
            Map<String, Long> perRelease = releases.stream().collect(Collectors.toMap(r -> r,
                    r -> received.stream().filter(body -> body.contains(r)).count()));
            assertEquals(releases.stream().collect(Collectors.toMap(r -> r, r -> 1L)), perRelease, "each release's message once");
        } finally {
            second.kill9();
        }
    }

    private static List<String> received(RunningSystem system) {
        return system.receiver.bodies("/" + ROUTE);
    }
}
