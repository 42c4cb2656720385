package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.Strategy;
import io.deploystage.stack.Await;
import io.deploystage.stack.ServiceProcess;

/**
 * Two notifier instances on one database both poll the same due deliveries: each delivery is claimed by one of them
 * (one conditional update), so a receiver without idempotency keys (Slack) gets every message exactly once.
 */
class TwoNotifiersTest {

    @Test
    void twoInstancesSendEveryNotificationOnce() throws Exception {
        RunningSystem system = RunningSystem.get();
        Receiver receiver = Receiver.start();
        List<String> received = receiver.bodies();
        Map<String, String> settings = Map.of("notifier.destinations.twice.kind", "slack",
                "notifier.destinations.twice.url", receiver.url("/slack"),
                "notifier.routes.two-svc", "twice");
        ServiceProcess first = system.service("notifier-service");
        ServiceProcess second = ServiceProcess.of("notifier-service", system.stack, Path.of("target", "e2e", "logs", "second-notifier"), 0);
        try {
            first.kill9();
            first.configure(settings).start();
            second.configure(settings).start();
            List<String> releases = java.util.stream.IntStream.range(0, 20).mapToObj(i -> "twice-" + UUID.randomUUID()).toList();
            for (String releaseId : releases) {
                system.client.publish(DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId)
                        .setOccurredAt(Instant.now()).setDeploymentId(UUID.randomUUID().toString()).setService("two-svc").setVersion("1.0.0")
                        .setStrategy(Strategy.ROLLING).setOutcome(DeploymentResult.DEPLOYED).build());
            }
            Await.until(Duration.ofSeconds(60), "a message for each of the 20 releases",
                    () -> releases.stream().allMatch(r -> received.stream().anyMatch(body -> body.contains(r))));
            io.deploystage.stack.LocalStack.pause(3_000); // both instances poll every 100 ms: time enough for a second send
            Map<String, Long> perRelease = releases.stream().collect(Collectors.toMap(r -> r,
                    r -> received.stream().filter(body -> body.contains(r)).count()));
            assertEquals(releases.stream().collect(Collectors.toMap(r -> r, r -> 1L)), perRelease, "each release's message once");
        } finally {
            receiver.close();
            second.kill9();
        }
    }
}
