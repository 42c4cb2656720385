package io.deploystage.events;

import java.util.regex.Pattern;

/** The issue references a release may name (ReleaseCandidate.issues): GitHub {@code #12} or {@code owner/repo#12}, Jira {@code CHK-12}. */
public final class IssueRefs {

    /** A GitHub reference; group 1 is the repository (may be absent), group 2 the number. */
    public static final String GITHUB = "(?:([A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}))?#([0-9]{1,9})";
    /** A Jira key; group 1 is the project. */
    public static final String JIRA = "([A-Z][A-Z0-9_]{0,19})-[0-9]{1,9}";
    public static final String ANY = GITHUB + "|" + JIRA;

    public static final Pattern GITHUB_PATTERN = Pattern.compile(GITHUB);
    public static final Pattern JIRA_PATTERN = Pattern.compile(JIRA);

    private IssueRefs() {
    }
}
