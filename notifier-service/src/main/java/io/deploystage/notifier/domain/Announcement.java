package io.deploystage.notifier.domain;

/** The words of the spec's Step 8 team-channel update, and of the page when a rollback fails. */
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

    /** The spec's escalation: the rollback did not restore production, the escalation contact takes over. */
    public static String rollbackFailed(String service, String version, String contact) {
        return "ROLLBACK FAILED: v" + version + " of " + service + " may still be running in production. Paging "
                + (contact == null || contact.isBlank() ? "the escalation contact" : contact) + ": a human must take over.";
    }

    /** A rollback step broke off and is not safe to re-run: the rollback waits, production may run either version. */
    public static String rollbackStalled(String service, String version, String step, String contact) {
        return "ROLLBACK STALLED: the rollback of v" + version + " of " + (service == null ? "the service" : service) + " stopped at step " + step
                + " (interrupted, not safe to re-run); production may run either version. Paging "
                + (contact == null || contact.isBlank() ? "the escalation contact" : contact) + ": a human must decide (resume, abort or roll back).";
    }

    public static String rollback(String deploymentId, String reason) {
        return "Rollback ordered for deployment " + deploymentId + ": " + reason;
    }
}
