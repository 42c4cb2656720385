package io.deploystage.notifier.domain;

import java.time.LocalDate;

/**
 * The changelog in Keep a Changelog 1.1.0 format: one entry per deployed version, newest first, under the
 * Unreleased section. Adding a version that is already there changes nothing, so a redelivery commits nothing.
 */
public final class Changelog {

    static final String HEADER = """
            # Changelog

            All notable changes to this project will be documented in this file.

            The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
            and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

            ## [Unreleased]
            """;

    private Changelog() {
    }

    /** The line a deployed release gets in the changelog (and in its GitHub release). */
    public static String line(String service, String version, String strategy, String releaseId) {
        return service + " " + version + " deployed to production by " + strategy + " (release " + releaseId + ").";
    }

    public static String entry(String version, LocalDate date, String line) {
        return "## [" + version + "] - " + date + "\n\n### Changed\n\n- " + line.replaceAll("[\\r\\n]+", " ") + "\n";
    }

    /** The changelog with the entry added, or the same text when the version is already listed. */
    public static String add(String existing, String version, String entry) {
        String text = existing == null || existing.isBlank() ? HEADER : existing;
        if (text.contains("## [" + version + "]")) {
            return text;
        }
        int unreleased = text.indexOf("## [Unreleased]");
        if (unreleased < 0) {
            int firstVersion = text.indexOf("\n## [");
            int at = firstVersion < 0 ? text.length() : firstVersion + 1;
            return text.substring(0, at) + (at == text.length() && !text.endsWith("\n") ? "\n" : "") + "\n" + entry + "\n" + text.substring(at);
        }
        int next = text.indexOf("\n## [", unreleased + 1);
        int at = next < 0 ? text.length() : next + 1;
        String before = text.substring(0, at);
        return before + (before.endsWith("\n\n") ? "" : "\n") + entry + (next < 0 ? "" : "\n" + text.substring(at));
    }
}
