package io.deploystage.notifier.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A Microsoft Teams incoming-webhook message (MessageCard): title, facts, the reason, and links to the artifacts. */
public final class TeamsCard {

    private TeamsCard() {
    }

    public static Map<String, Object> of(Notice notice, String plansBaseUrl) {
        List<Map<String, String>> facts = List.of(
                Map.of("name", "Release", "value", value(notice.releaseId())),
                Map.of("name", "Version", "value", value(notice.version())),
                Map.of("name", "Environment", "value", value(notice.environment())),
                Map.of("name", "Strategy", "value", value(notice.strategy())),
                Map.of("name", "Outcome", "value", value(notice.outcome())));
        Map<String, Object> section = new java.util.LinkedHashMap<>();
        section.put("facts", facts);
        if (notice.reason() != null && !notice.reason().isBlank()) {
            section.put("text", value(notice.reason()));
        }
        List<Map<String, Object>> actions = new ArrayList<>();
        if (plansBaseUrl != null && !plansBaseUrl.isBlank()) {
            String plan = plansBaseUrl + "/plans/" + notice.releaseId();
            actions.add(Map.of("@type", "OpenUri", "name", "Deployment checklist", "targets", List.of(Map.of("os", "default", "uri", plan + "/deployment-checklist"))));
            actions.add(Map.of("@type", "OpenUri", "name", "Rollback plan", "targets", List.of(Map.of("os", "default", "uri", plan + "/rollback-plan"))));
        }
        Map<String, Object> card = new java.util.LinkedHashMap<>();
        card.put("@type", "MessageCard");
        card.put("@context", "https://schema.org/extensions");
        card.put("summary", notice.summary());
        card.put("themeColor", "DEPLOYED".equals(notice.outcome()) ? "2EB67D" : "E01E5A");
        card.put("title", notice.summary());
        card.put("sections", List.of(section));
        card.put("potentialAction", actions);
        return card;
    }

    /** Teams renders Markdown in these fields: text from events is escaped so it stays text. */
    static String value(String text) {
        return text == null ? "-" : text.replaceAll("([\\\\`*_\\[\\]<>#|])", "\\\\$1");
    }
}
