package io.deploystage.executor.domain.flags;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Evaluates a flag for a targeting key, as a pure function.
 * <ul>
 * <li>Killed or not enabled: off (DISABLED).</li>
 * <li>An internal user, with the flag opened to internal users: on (TARGETING_MATCH).</li>
 * <li>Otherwise on for a stable {@code rolloutPercent} of targeting keys: the bucket is the first four bytes of
 * SHA-256(flag key + ":" + targeting key) modulo 100, so a user keeps the same answer as the rollout grows
 * (1% → 5% → 25% → 100%) and different flags split users independently (SPLIT; STATIC at 0% and 100%).</li>
 * </ul>
 */
public final class FlagEvaluator {

    private FlagEvaluator() {
    }

    /** @param targetingKey the user or session the application evaluates for; null when it has none */
    public static FlagEvaluation evaluate(Flag flag, String targetingKey, boolean internal) {
        if (flag.killed() || !flag.enabled()) {
            return new FlagEvaluation(flag.key(), false, "DISABLED", "off");
        }
        if (flag.internalEnabled() && (internal || (targetingKey != null && flag.internalUsers().contains(targetingKey)))) {
            return new FlagEvaluation(flag.key(), true, "TARGETING_MATCH", "on");
        }
        if (flag.rolloutPercent() == 0 || flag.rolloutPercent() == 100) {
            boolean on = flag.rolloutPercent() == 100;
            return new FlagEvaluation(flag.key(), on, "STATIC", on ? "on" : "off");
        }
        if (targetingKey == null || targetingKey.isEmpty()) {
            throw new IllegalArgumentException("a fractional rollout needs a targetingKey");
        }
        boolean on = bucket(flag.key(), targetingKey) < flag.rolloutPercent();
        return new FlagEvaluation(flag.key(), on, "SPLIT", on ? "on" : "off");
    }

    /** 0..99, the same for the same flag and targeting key on every instance and every run. */
    public static int bucket(String flagKey, String targetingKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((flagKey + ":" + targetingKey).getBytes(StandardCharsets.UTF_8));
            return (int) (Integer.toUnsignedLong(ByteBuffer.wrap(digest, 0, 4).getInt()) % 100);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
