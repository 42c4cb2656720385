package io.deploystage.planner.domain;

/** An HTTP smoke test of a critical user journey: method, URL, expected status and (optional) body text. */
public record SmokeCheck(String name, String method, String url, int expectStatus, String expectBodyContains) {
}
