package io.deploystage.notifier.domain;

/**
 * PLACEHOLDER (walking skeleton): the words of the spec's Step 8 team-channel update. Real channels, trackers,
 * the changelog and delivery with retries replace the log destination in the notifier-service issue.
 */
public final class Announcement {

    public static final String LOG_DESTINATION = "log";

    private Announcement() {
    }

    public static String deployed(String service, String version) {
        return "v" + version + " of " + service + " deployed to production. Monitoring for 24h.";
    }

    public static String notDeployed(String service, String version, String outcome, String reason) {
        return "v" + version + " of " + service + " was not deployed: " + outcome + (reason == null ? "" : " (" + reason + ")");
    }

    public static String blocked(String service, String version) {
        return "v" + version + " of " + service + " is blocked by its gates.";
    }

    public static String rollback(String deploymentId, String reason) {
        return "Rollback ordered for deployment " + deploymentId + ": " + reason;
    }
}
