package io.deploystage.notifier.application;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.deploystage.events.DeliveryStatus;
import io.deploystage.notifier.config.NotifierConfig;
import io.deploystage.notifier.domain.Backoff;
import io.deploystage.notifier.domain.CircuitBreaker;
import io.deploystage.notifier.domain.WebhookSignature;
import io.deploystage.notifier.persistence.DeliveryEntity;
import io.deploystage.platform.outbox.Outbox;
import io.deploystage.platform.persistence.JsonText;
import io.deploystage.platform.outbox.OutboxRelay;
import io.deploystage.platform.runtime.OffLoop;
import io.deploystage.platform.runtime.PeriodicTask;
import io.deploystage.platform.runtime.InOrder;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/**
 * Sends due deliveries to their HTTP destinations and records each attempt (a NotificationRecord through the outbox).
 * A failed attempt is retried with exponential back-off and full jitter until the retry budget is spent; then the
 * delivery is FAILED, which is announced and logged as an error, never dropped. Every attempt of a delivery carries
 * the same {@code Idempotency-Key}, so a receiver that honours it applies a delivery once even when a crash between
 * sending and recording makes the notifier send it again.
 */
@ApplicationScoped
public class DeliveryWorker {

    private static final Logger LOG = Logger.getLogger(DeliveryWorker.class);

    private final NotifierConfig config;
    /** When this instance started (the halt-after-send hook spares deliveries created before). */
    private final Instant startedAt = Instant.now();
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final ChangelogWriter changelog;
    private final io.deploystage.platform.messaging.DeadLetters deadLetters;
    private final java.util.Map<String, CircuitBreaker> breakers = new java.util.concurrent.ConcurrentHashMap<>();
    /** Destinations where sending again applies once: the generic webhook (its Idempotency-Key contract) and the changelog. */
    private static final java.util.Set<String> IDEMPOTENT = java.util.Set.of("webhook", "changelog", "pagerduty");
    private static final com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, Object>> MAP = new com.fasterxml.jackson.core.type.TypeReference<>() { };
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private PeriodicTask task;

    /** The start of a send error that no retry can mend. */
    static final String REFUSED = "refused: ";
    private final io.deploystage.platform.http.UrlGuard urls;

    DeliveryWorker(NotifierConfig config, Outbox outbox, OutboxRelay relay, ChangelogWriter changelog,
            io.deploystage.platform.messaging.DeadLetters deadLetters, io.deploystage.platform.http.UrlGuard urls) {
        this.urls = urls;
        this.config = config;
        this.outbox = outbox;
        this.relay = relay;
        this.changelog = changelog;
        this.deadLetters = deadLetters;
    }

    void start(@Observes StartupEvent startup, io.vertx.mutiny.core.Vertx vertx) {
        this.vertx = vertx.getDelegate();
        task = PeriodicTask.start("Notification delivery", this.vertx, BACKSTOP, this::deliverDue);
    }

    /**
     * How often the worker looks for due deliveries when nothing woke it: new deliveries wake it when committed, and a
     * retry or a breaker's wait wakes it when due ({@link #wakeAt}); this only bounds a wake-up that was lost.
     */
    static final Duration BACKSTOP = Duration.ofSeconds(1);

    private io.vertx.core.Vertx vertx;

    /** Runs a pass when a delivery put off until {@code when} is due. */
    private void wakeAt(Instant when) {
        long millis = Math.max(1, Duration.between(Instant.now(), when).toMillis() + 1);
        if (vertx != null && millis < BACKSTOP.toMillis()) {
            vertx.setTimer(millis, ignored -> task.trigger());
        }
    }

    /** New deliveries were committed: send them now rather than at the next poll. */
    void wake(@Observes io.deploystage.platform.inbox.EventsCommitted committed) {
        if (task != null) {
            task.trigger();
        }
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (task != null) {
            task.stop();
        }
    }

    Uni<Void> deliverDue() {
        return recoverInterrupted().chain(() -> Panache.withSession(() -> DeliveryEntity.<DeliveryEntity>find(
                        "status = ?1 and nextAttemptAt <= ?2 order by nextAttemptAt", "PENDING", Instant.now()).page(0, 20).list()))
                .chain(due -> InOrder.run(due, this::deliver));
    }

    /**
     * A delivery still SENDING long after its timeout was interrupted between the send and the record (a crash). To a
     * destination that honours the Idempotency-Key it is sent again (the receiver applies it once); to any other it is
     * not, since that could post the message twice: it FAILS, visibly, for a human to check.
     */
    private Uni<Void> recoverInterrupted() {
        // a send never outlasts its timeout: one still SENDING well after that was cut short
        Instant stale = Instant.now().minus(config.retry().timeout()).minusSeconds(2);
        // locked: another instance recovering at the same moment waits, then no longer finds the rows SENDING
        return Panache.withTransaction(() -> DeliveryEntity.<DeliveryEntity>find("status = ?1 and updatedAt < ?2", "SENDING", stale)
                .withLock(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).list()
                .chain(rows -> {
                    List<io.deploystage.events.NotificationRecord> records = new java.util.ArrayList<>();
                    for (DeliveryEntity row : rows) {
                        row.updatedAt = Instant.now();
                        if (IDEMPOTENT.contains(row.kind)) {
                            row.status = "PENDING";
                            LOG.warnf("Release %s: delivery to %s was interrupted after its send; sending it again with the same Idempotency-Key",
                                    row.releaseId, row.destination);
                        } else {
                            row.status = "FAILED";
                            row.lastError = "interrupted between the send and its record; not sent again, so as not to post it twice: check "
                                    + row.destination;
                            records.add(NotificationFlow.record(row, DeliveryStatus.FAILED));
                            LOG.errorf("Release %s: delivery to %s FAILED: %s", row.releaseId, row.destination, row.lastError);
                        }
                    }
                    return outbox.stage(records);
                }))
                .invoke(relay::wake);
    }

    private Uni<Void> deliver(DeliveryEntity delivery) {
        CircuitBreaker breaker = breakers.computeIfAbsent(delivery.destination,
                d -> new CircuitBreaker(config.breakerThreshold(), config.breakerCooldown()));
        Instant blocked = breaker.blockedUntil(Instant.now());
        if (blocked != null) {
            // the destination is failing: wait for the breaker rather than spend this delivery's attempts
            return Panache.withTransaction(() -> DeliveryEntity.<DeliveryEntity>findById(delivery.id).invoke(fresh -> {
                if (fresh != null && "PENDING".equals(fresh.status)) {
                    fresh.nextAttemptAt = blocked;
                    wakeAt(blocked);
                }
            })).replaceWithVoid();
        }
        // the claim is one conditional update, committed before the send (a crash after it is found by recoverInterrupted):
        // of two notifier instances that both saw the delivery due, the second waits for the first's row lock, finds it
        // no longer PENDING and sends nothing
        return Panache.withTransaction(() -> DeliveryEntity.update("status = 'SENDING', updatedAt = ?1 where id = ?2 and status = 'PENDING'",
                        Instant.now(), delivery.id).map(claimed -> claimed == 1))
                .chain(claimed -> !claimed ? Uni.createFrom().voidItem() : OffLoop.run(() -> send(delivery))
                        .invoke(error -> {
                            if (config.haltAfterSendFor().filter(delivery.releaseId::startsWith).isPresent()
                                    && !delivery.createdAt.isBefore(startedAt)) {
                                LOG.error("Fault injection: halting after the send, before it is recorded");
                                Runtime.getRuntime().halt(137);
                            }
                            if (error == null) {
                                breaker.succeeded();
                            } else if (breaker.failed(Instant.now())) {
                                LOG.warnf("Destination %s failed %d times in a row: no sends to it for %d s", delivery.destination,
                                        config.breakerThreshold(), config.breakerCooldown().toSeconds());
                            }
                        })
                        .chain(error -> Panache.withTransaction(() -> DeliveryEntity.<DeliveryEntity>findById(delivery.id)
                                .chain(fresh -> fresh == null || !"SENDING".equals(fresh.status) ? Uni.createFrom().voidItem() : record(fresh, error))))
                        .invoke(relay::wake));
    }

    private Uni<Void> record(DeliveryEntity delivery, String error) {
        delivery.attempts++;
        delivery.updatedAt = Instant.now();
        DeliveryStatus status;
        if (error == null) {
            delivery.status = "DELIVERED";
            status = DeliveryStatus.DELIVERED;
            LOG.infof("Release %s: notified %s (attempt %d)", delivery.releaseId, delivery.destination, delivery.attempts);
        } else if (delivery.attempts >= config.retry().attempts() || error.startsWith(REFUSED)) {
            // a URL the policy refuses will be refused again: no retries, dead-lettered with the reason
            delivery.status = "FAILED";
            delivery.lastError = error.length() > 1000 ? error.substring(0, 1000) : error;
            status = DeliveryStatus.FAILED;
            LOG.errorf("Release %s: notification to %s FAILED after %d attempts: %s", delivery.releaseId, delivery.destination,
                    delivery.attempts, error);
            return outbox.stage(List.of(NotificationFlow.record(delivery, status))).call(() -> deadLetter(delivery));
        } else {
            delivery.status = "PENDING";
            delivery.lastError = error.length() > 1000 ? error.substring(0, 1000) : error;
            Duration wait = Backoff.delay(delivery.attempts, config.retry().base(), config.retry().maxDelay(), ThreadLocalRandom.current().nextDouble());
            delivery.nextAttemptAt = Instant.now().plus(wait);
            wakeAt(delivery.nextAttemptAt);
            status = DeliveryStatus.RETRYING;
            LOG.warnf("Release %s: notification to %s failed (attempt %d), retrying in %d ms: %s", delivery.releaseId, delivery.destination,
                    delivery.attempts, wait.toMillis(), error);
        }
        return outbox.stage(List.of(NotificationFlow.record(delivery, status)));
    }

    /** An undeliverable notification is kept on notification-records.dlq with its body and the reason, never dropped. */
    private Uni<Void> deadLetter(DeliveryEntity delivery) {
        org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record = new org.apache.kafka.clients.consumer.ConsumerRecord<>(
                io.deploystage.events.Topics.NOTIFICATION_RECORDS, -1, -1L, delivery.releaseId,
                (delivery.method + " " + (delivery.url == null ? delivery.destination : delivery.url) + "\n" + delivery.body)
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return deadLetters.send(record, "notifier-service", "undeliverable to " + delivery.destination + " after " + delivery.attempts
                + " attempts: " + delivery.lastError);
    }

    /** One attempt; null when the destination accepted it, else what went wrong. Runs on a worker thread. */
    private String send(DeliveryEntity delivery) {
        NotifierConfig.Destination destination = config.destinations().get(delivery.destination);
        if (destination != null && "changelog".equals(delivery.kind)) {
            return destination.repository().isEmpty() ? "destination " + delivery.destination + " has no repository configured"
                    : changelog.write(destination.repository().get(), destination.token().orElse(null), JsonText.read(delivery.body, MAP));
        }
        if (destination == null || delivery.url == null && destination.url().isEmpty()) {
            return "destination " + delivery.destination + " has no url configured";
        }
        String target = delivery.url != null ? delivery.url : destination.url().get();
        String refused = urls.refusal(target);
        if (refused != null) {
            return REFUSED + refused;
        }
        String body = delivery.body;
        if ("pagerduty".equals(delivery.kind)) {
            if (destination.token().isEmpty()) {
                return "destination " + delivery.destination + " has no token (the PagerDuty integration's routing key) configured";
            }
            // the routing key is a secret: added to the event as it is sent, never stored or logged
            java.util.Map<String, Object> event = new java.util.LinkedHashMap<>(JsonText.read(delivery.body, MAP));
            event.put("routing_key", destination.token().get());
            body = JsonText.write(event);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target))
                .timeout(config.retry().timeout())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", delivery.id.toString())
                .method(delivery.method == null ? "POST" : delivery.method, HttpRequest.BodyPublishers.ofString(body));
        if ("github".equals(delivery.kind)) {
            request.header("Accept", "application/vnd.github+json").header("X-GitHub-Api-Version", "2022-11-28");
            destination.token().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        } else if ("jira".equals(delivery.kind)) {
            request.header("Accept", "application/json");
            destination.token().ifPresent(token -> request.header("Authorization", destination.user().isPresent()
                    ? "Basic " + java.util.Base64.getEncoder().encodeToString((destination.user().get() + ":" + token)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    : "Bearer " + token));
        }
        if ("webhook".equals(delivery.kind) && destination.secret().isPresent()) {
            long timestamp = Instant.now().getEpochSecond();
            request.header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
                    .header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(destination.secret().get(), timestamp, delivery.body));
        }
        try {
            // the whole answer within the timeout; its body is not needed (a receiver's long or endless answer is cut)
            int status = io.deploystage.platform.http.BoundedHttp.exchange(http, request.build(), 0, config.retry().timeout()).status();
            return status / 100 == 2 ? null : "HTTP " + status;
        } catch (java.io.IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
