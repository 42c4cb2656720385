package io.deploystage.executor.domain.flags;

/** The result of evaluating a flag for one context, with the OFREP reason (DISABLED, TARGETING_MATCH, SPLIT, STATIC). */
public record FlagEvaluation(String key, boolean value, String reason, String variant) {
}
