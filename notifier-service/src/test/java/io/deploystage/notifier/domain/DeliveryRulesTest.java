package io.deploystage.notifier.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Back-off with jitter, and the webhook signature receivers check. */
class DeliveryRulesTest {

    static final Duration BASE = Duration.ofMillis(200);
    static final Duration MAX = Duration.ofSeconds(10);

    @Test
    void backOffDoublesUpToTheMaximumAndJitterTakesAShareOfIt() {
        assertEquals(200, Backoff.delay(1, BASE, MAX, 1.0).toMillis());
        assertEquals(400, Backoff.delay(2, BASE, MAX, 1.0).toMillis());
        assertEquals(1600, Backoff.delay(4, BASE, MAX, 1.0).toMillis());
        assertEquals(10_000, Backoff.delay(12, BASE, MAX, 1.0).toMillis(), "capped");
        assertEquals(10_000, Backoff.delay(1000, BASE, MAX, 1.0).toMillis(), "no overflow");
        assertEquals(400, Backoff.delay(3, BASE, MAX, 0.5).toMillis());
        assertEquals(1, Backoff.delay(3, BASE, MAX, 0.0).toMillis(), "never zero");
    }

    @Test
    void theSignatureIsAnHmacOfTimestampAndBodyThatOnlyTheSecretReproduces() {
        String signature = WebhookSignature.sign("secret", 1_796_400_000L, "{\"a\":1}");
        assertTrue(signature.matches("sha256=[0-9a-f]{64}"), signature);
        assertTrue(WebhookSignature.verify("secret", 1_796_400_000L, "{\"a\":1}", signature));
        assertFalse(WebhookSignature.verify("other", 1_796_400_000L, "{\"a\":1}", signature), "another secret");
        assertFalse(WebhookSignature.verify("secret", 1_796_400_001L, "{\"a\":1}", signature), "a replayed timestamp");
        assertFalse(WebhookSignature.verify("secret", 1_796_400_000L, "{\"a\":2}", signature), "a changed body");
        assertFalse(WebhookSignature.verify("secret", 1_796_400_000L, "{\"a\":1}", null));
    }
}
