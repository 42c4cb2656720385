package io.deploystage.notifier.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.deploystage.platform.domain.Texts;

/**
 * What the team is told about one event, and how each kind of destination wants it: Slack Block Kit, or the
 * generic webhook's JSON. Values are data, never markup: Slack mrkdwn control characters in them are escaped.
 */
public record Notice(String kind, String releaseId, String service, String version, String environment, String strategy, String outcome,
        String summary, String reason) {

    public Map<String, Object> webhookPayload(String eventId) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event", kind);
        payload.put("eventId", eventId);
        payload.put("releaseId", releaseId);
        payload.put("service", service);
        payload.put("version", version);
        payload.put("environment", environment);
        payload.put("strategy", strategy);
        payload.put("outcome", outcome);
        payload.put("summary", summary);
        payload.put("reason", reason);
        return payload;
    }

    /**
     * A PagerDuty Events API v2 trigger, without its routing key (added when sent, never stored): critical for a failed
     * rollback, an error for other bad news, info otherwise. The dedup key makes a re-send the same incident.
     */
    public Map<String, Object> pagerDutyEvent(String dedupKey) {
        String severity = switch (kind) {
            case "rollback-failed" -> "critical";
            case "not-deployed", "rollback-ordered", "blocked" -> "error";
            default -> "info";
        };
        Map<String, Object> details = new LinkedHashMap<>(webhookPayload(dedupKey));
        details.remove("summary");
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("summary", Texts.fit(summary, 1024, Texts.ELLIPSIS));
        payload.put("source", service == null ? "deploy-stage" : service);
        payload.put("severity", severity);
        payload.put("component", environment);
        payload.put("group", "deploy-stage");
        payload.put("class", kind);
        payload.put("custom_details", details);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event_action", "trigger");
        event.put("dedup_key", dedupKey);
        event.put("payload", payload);
        return event;
    }

    /** A Slack incoming-webhook message in Block Kit: a header, the facts as fields, the reason on a rollback, and links. */
    public Map<String, Object> slackPayload(String plansBaseUrl) {
        List<Map<String, Object>> fields = List.of(
                mrkdwn("*Release*\n" + escape(releaseId)),
                mrkdwn("*Version*\n" + escape(version)),
                mrkdwn("*Environment*\n" + escape(environment)),
                mrkdwn("*Strategy*\n" + escape(strategy)),
                mrkdwn("*Outcome*\n" + escape(outcome)));
        List<Map<String, Object>> blocks = new java.util.ArrayList<>();
        blocks.add(Map.of("type", "header", "text", Map.of("type", "plain_text", "text", Texts.fit(summary, 150, Texts.ELLIPSIS))));
        blocks.add(Map.of("type", "section", "fields", fields));
        if (reason != null && !reason.isBlank()) {
            blocks.add(Map.of("type", "section", "text", mrkdwn("*Why*\n" + escape(Texts.fit(reason, 2900, Texts.ELLIPSIS)))));
        }
        if (plansBaseUrl != null && !plansBaseUrl.isBlank()) {
            String plan = plansBaseUrl + "/plans/" + releaseId;
            blocks.add(Map.of("type", "context", "elements", List.of(mrkdwn("<" + plan + "/deployment-checklist|Deployment checklist> · <"
                    + plan + "/rollback-plan|Rollback plan>"))));
        }
        return Map.of("text", summary, "blocks", blocks);
    }

    private static Map<String, Object> mrkdwn(String text) {
        return Map.of("type", "mrkdwn", "text", text);
    }

    /** Slack's escaping for &, < and >: text from events cannot become links or mentions. */
    static String escape(String value) {
        return value == null ? "-" : value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
