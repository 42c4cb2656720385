package io.deploystage.notifier.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Microsoft Teams message for a Workflows webhook ("When a Teams webhook request is received"): one Adaptive Card
 * (1.4) with the summary as its title, the facts, the reason, and links to the artifacts. The Office 365 connectors'
 * MessageCard format is retired.
 */
public final class TeamsCard {

    private TeamsCard() {
    }

    public static Map<String, Object> of(Notice notice, String plansBaseUrl) {
        List<Map<String, Object>> body = new ArrayList<>();
        body.add(Map.of("type", "TextBlock", "text", value(notice.summary()), "weight", "Bolder", "size", "Medium", "wrap", true,
                "color", "DEPLOYED".equals(notice.outcome()) ? "Good" : "Attention"));
        body.add(Map.of("type", "FactSet", "facts", List.of(
                fact("Release", notice.releaseId()), fact("Version", notice.version()), fact("Environment", notice.environment()),
                fact("Strategy", notice.strategy()), fact("Outcome", notice.outcome()))));
        if (notice.reason() != null && !notice.reason().isBlank()) {
            body.add(Map.of("type", "TextBlock", "text", value(notice.reason()), "wrap", true));
        }
        List<Map<String, Object>> actions = new ArrayList<>();
        if (plansBaseUrl != null && !plansBaseUrl.isBlank()) {
            String plan = plansBaseUrl + "/plans/" + notice.releaseId();
            actions.add(Map.of("type", "Action.OpenUrl", "title", "Deployment checklist", "url", plan + "/deployment-checklist"));
            actions.add(Map.of("type", "Action.OpenUrl", "title", "Rollback plan", "url", plan + "/rollback-plan"));
        }
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        card.put("type", "AdaptiveCard");
        card.put("version", "1.4");
        card.put("body", body);
        card.put("actions", actions);
        Map<String, Object> attachment = new LinkedHashMap<>();
        attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
        attachment.put("content", card);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", "message");
        message.put("summary", notice.summary());
        message.put("attachments", List.of(attachment));
        return message;
    }

    private static Map<String, String> fact(String title, String value) {
        return Map.of("title", title, "value", value(value));
    }

    /** Teams renders Markdown in these fields: text from events is escaped so it stays text. */
    static String value(String text) {
        return text == null ? "-" : text.replaceAll("([\\\\`*_\\[\\]<>#|])", "\\\\$1");
    }
}
