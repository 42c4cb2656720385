package io.deploystage.notifier.domain;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a generic webhook is signed, so receivers can check it came from Deploy Stage and was not replayed:
 * header {@code X-DeployStage-Timestamp} holds the Unix time in seconds, and {@code X-DeployStage-Signature} holds
 * {@code sha256=} followed by the hex HMAC-SHA256, keyed with the shared secret, of {@code timestamp + "." + body}.
 * A receiver recomputes it, compares in constant time, and refuses timestamps older than a few minutes.
 */
public final class WebhookSignature {

    public static final String TIMESTAMP_HEADER = "X-DeployStage-Timestamp";
    public static final String SIGNATURE_HEADER = "X-DeployStage-Signature";

    private WebhookSignature() {
    }

    public static String sign(String secret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static boolean verify(String secret, long timestamp, String body, String signature) {
        return signature != null && MessageDigest.isEqual(sign(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }
}
