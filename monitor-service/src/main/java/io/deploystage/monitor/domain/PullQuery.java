package io.deploystage.monitor.domain;

/** One metric query of a plan: where a pull source reads one measure ({@code name}) of one environment. */
public record PullQuery(String environment, String name, String query) {
}
