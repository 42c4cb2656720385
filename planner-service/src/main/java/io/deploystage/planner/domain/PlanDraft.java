package io.deploystage.planner.domain;

import java.util.List;

/**
 * PLACEHOLDER (walking skeleton): a rolling plan with staging first. Risk assessment, strategy selection and
 * the spec's exact artifacts replace this in the planner-service issue.
 */
public record PlanDraft(String strategy, String rationale, List<Step> steps) {

    /** One step of the draft plan. */
    public record Step(String id, String environment, String action, String expectedOutcome) {
    }

    public static PlanDraft forRelease(String service, String version) {
        return new PlanDraft("ROLLING", "Placeholder: every release is rolled out instance by instance after staging.",
                List.of(new Step("staging-deploy", "STAGING", "Deploy " + service + " " + version + " to staging", "Staging runs " + version),
                        new Step("staging-smoke", "STAGING", "Smoke test staging", "Smoke tests pass"),
                        new Step("production-deploy", "PRODUCTION", "Roll out " + version + " to production", "All instances run " + version)));
    }
}
