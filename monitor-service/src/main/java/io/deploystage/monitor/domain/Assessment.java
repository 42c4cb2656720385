package io.deploystage.monitor.domain;

/**
 * The verdict on one check over one window, with the numbers behind it. {@code check} names it in a HealthVerdict:
 * the metric for a threshold check ({@code ERROR_RATE}), prefixed for the canary comparison ({@code CANARY_ERROR_RATE}).
 */
public record Assessment(String check, Metric metric, Verdict verdict, Double value, Double baseline, double threshold, long samples,
        String reason) {
}
