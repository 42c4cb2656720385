package io.deploystage.monitor.domain;

/** The verdict on one check over one window, with the numbers behind it. */
public record Assessment(Metric metric, Verdict verdict, Double value, Double baseline, double threshold, long samples, String reason) {
}
