package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

import io.deploystage.e2e.Receiver.Request;
import io.deploystage.events.DeliveryStatus;
import io.deploystage.events.DeploymentOutcome;
import io.deploystage.events.DeploymentResult;
import io.deploystage.events.NotificationRecord;
import io.deploystage.events.Strategy;
import io.deploystage.events.Topics;
import io.deploystage.stack.ServiceProcess;

/**
 * The notifier killed between a send and its record (it halts right after the HTTP call returns): after a restart
 * no receiver has the message twice. The generic webhook, which honours the Idempotency-Key, may get it again under
 * the same key and applies it once; Slack, which has no such key, is not sent it again: that delivery fails visibly.
 */
@Isolated
class NotifierSendCrashTest {

    /** The service whose notices go to the webhook and to Slack on the system's receiver (RunningSystem). */
    static final String SERVICE = "crash-svc";
    /** The release-id prefix the notifier halts right after a send for (RunningSystem). */
    static final String HALTING = "halt-";

    @Test
    void killedBetweenTheSendAndItsRecordItSendsNoDuplicate() throws Exception {
        RunningSystem system = RunningSystem.get();
        ServiceProcess notifier = system.service("notifier-service");
        List<Request> requests = system.receiver.requests();
        String releaseId = HALTING + UUID.randomUUID();
        try (var reader = system.client.reader(List.of(Topics.NOTIFICATION_RECORDS))) {
            system.client.publish(DeploymentOutcome.newBuilder().setEventId(UUID.randomUUID()).setReleaseId(releaseId).setOccurredAt(Instant.now())
                    .setDeploymentId(UUID.randomUUID().toString()).setService(SERVICE).setVersion("2.0.0").setStrategy(Strategy.ROLLING)
                    .setOutcome(DeploymentResult.DEPLOYED).build());
            assertTrue(notifier.awaitExit(Duration.ofSeconds(60)), "the notifier halted right after its first send");
            List<Request> beforeCrash = mine(requests, releaseId);
            assertEquals(1, beforeCrash.size(), "one send, then the crash: " + beforeCrash);
            String interrupted = beforeCrash.get(0).path();

            notifier.start();
            reader.awaitUntil(seen -> finals(seen, releaseId).size() == 2, Duration.ofSeconds(90), "a final record for both destinations");
            reader.poll(Duration.ofSeconds(2));
            List<Request> all = mine(requests, releaseId);
            List<Request> slack = all.stream().filter(r -> r.path().equals("/slack")).toList();
            List<Request> hook = all.stream().filter(r -> r.path().equals("/hook")).toList();
            assertEquals(1, slack.size(), "Slack never gets the message twice: " + all);
            assertEquals(1, hook.stream().map(Request::key).distinct().count(), "every send to the webhook has one Idempotency-Key: " + hook);
            Map<String, DeliveryStatus> finals = finals(reader.seen(), releaseId);
            if (interrupted.equals("/slack")) {
                assertEquals(DeliveryStatus.FAILED, finals.get("slack"), "not sent again: a visible failure, for a human to check");
                assertEquals(1, hook.size());
            } else {
                assertEquals(2, hook.size(), "sent again under the same key, applied once by the receiver");
                assertEquals(DeliveryStatus.DELIVERED, finals.get("hook"));
            }
        } finally {
            if (!notifier.isAlive()) {
                notifier.start();
            }
        }
    }

    private static List<Request> mine(List<Request> requests, String releaseId) {
        return requests.stream().filter(r -> r.body().contains(releaseId)).toList();
    }

    private static Map<String, DeliveryStatus> finals(List<org.apache.kafka.clients.consumer.ConsumerRecord<String, Object>> seen, String releaseId) {
        Map<String, DeliveryStatus> finals = new java.util.HashMap<>();
        Trail.of(seen, releaseId, NotificationRecord.class).stream()
                .filter(r -> r.getStatus() == DeliveryStatus.DELIVERED || r.getStatus() == DeliveryStatus.FAILED)
                .forEach(r -> finals.put(r.getDestination(), r.getStatus()));
        return finals;
    }
}
