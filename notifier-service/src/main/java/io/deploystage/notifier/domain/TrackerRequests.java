package io.deploystage.notifier.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The requests that tell issue trackers about a release, as pure data: on GitHub (REST API v3) a comment on and the
 * closing of each issue the release names, and a release with the changelog entry; on Jira (REST API v2) a comment
 * and a transition per issue. Also the cleanup ticket of a flag that reached 100%. Each request is delivered on its
 * own, so a retry never repeats one that already succeeded.
 */
public final class TrackerRequests {

    /** One request: what it is for (part of its delivery id), method, URL and JSON body. */
    public record Request(String purpose, String method, String url, Map<String, Object> body) {
    }

    // the same shapes as IssueRefs in the contracts (a domain class does not depend on them)
    private static final Pattern GITHUB = Pattern.compile("(?:([A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}))?#([0-9]{1,9})");
    private static final Pattern JIRA = Pattern.compile("([A-Z][A-Z0-9_]{0,19})-[0-9]{1,9}");

    private TrackerRequests() {
    }

    /**
     * {@code others}: repositories besides the destination's own that a release may name (owner/repo#12); an issue in any
     * other repository is left alone, so a release cannot make the token comment on or close issues elsewhere.
     */
    public static List<Request> githubDeployed(String api, String repository, java.util.Set<String> others, List<String> issues, String service,
            String version, String releaseId, String changelogEntry) {
        List<Request> requests = new ArrayList<>();
        String base = api.replaceAll("/+$", "");
        for (String issue : issues) {
            Matcher m = GITHUB.matcher(issue);
            if (!m.matches()) {
                continue;
            }
            String repo = m.group(1) == null ? repository : m.group(1);
            if (!repo.equalsIgnoreCase(repository) && others.stream().noneMatch(repo::equalsIgnoreCase)) {
                continue;
            }
            String number = m.group(2);
            requests.add(new Request("comment " + repo + "#" + number, "POST", base + "/repos/" + repo + "/issues/" + number + "/comments",
                    Map.of("body", "Deployed to production in " + service + " " + version + " (release " + releaseId + ").")));
            requests.add(new Request("close " + repo + "#" + number, "PATCH", base + "/repos/" + repo + "/issues/" + number,
                    Map.of("state", "closed", "state_reason", "completed")));
        }
        Map<String, Object> release = new LinkedHashMap<>();
        release.put("tag_name", "v" + version);
        release.put("name", service + " " + version);
        release.put("body", changelogEntry);
        release.put("draft", false);
        release.put("prerelease", false);
        requests.add(new Request("release v" + version, "POST", base + "/repos/" + repository + "/releases", release));
        return requests;
    }

    /** {@code projects}: the Jira project keys a release may name (CHK for CHK-12); other keys are left alone. */
    public static List<Request> jiraDeployed(String base, java.util.Set<String> projects, List<String> issues, String transition, String service,
            String version, String releaseId) {
        List<Request> requests = new ArrayList<>();
        String root = base.replaceAll("/+$", "");
        for (String issue : issues) {
            if (!JIRA.matcher(issue).matches() || !projects.contains(issue.substring(0, issue.lastIndexOf('-')))) {
                continue;
            }
            requests.add(new Request("comment " + issue, "POST", root + "/rest/api/2/issue/" + issue + "/comment",
                    Map.of("body", "Deployed to production in " + service + " " + version + " (release " + releaseId + ").")));
            if (transition != null) {
                requests.add(new Request("transition " + issue, "POST", root + "/rest/api/2/issue/" + issue + "/transitions",
                        Map.of("transition", Map.of("id", transition))));
            }
        }
        return requests;
    }

    /** A ticket to remove a flag that is on for everyone: on GitHub an issue, on Jira a Task in the project. */
    public static Request flagCleanup(String kind, String base, String repositoryOrProject, String flag, String service) {
        String title = "Remove feature flag " + flag + " from " + service;
        String text = "Flag " + flag + " reached 100% of users in " + service + ". Remove it and its dead branch, then delete it from the flag store.";
        String root = base.replaceAll("/+$", "");
        if (kind.equals("github")) {
            return new Request("cleanup " + flag, "POST", root + "/repos/" + repositoryOrProject + "/issues",
                    Map.of("title", title, "body", text, "labels", List.of("feature-flag-cleanup")));
        }
        return new Request("cleanup " + flag, "POST", root + "/rest/api/2/issue", Map.of("fields", Map.of("project",
                Map.of("key", repositoryOrProject), "summary", title, "description", text, "issuetype", Map.of("name", "Task"),
                "labels", List.of("feature-flag-cleanup"))));
    }
}
