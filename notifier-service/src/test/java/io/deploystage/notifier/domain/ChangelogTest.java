package io.deploystage.notifier.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;

import org.junit.jupiter.api.Test;

/** Keep a Changelog entries: newest first under Unreleased, once per version. */
class ChangelogTest {

    static final LocalDate DAY = LocalDate.of(2026, 11, 27);

    @Test
    void aFirstEntryCreatesTheFileInKeepAChangelogFormat() {
        String text = Changelog.add(null, "1.1.0", Changelog.entry("1.1.0", DAY, "checkout 1.1.0 deployed"));
        assertTrue(text.startsWith("# Changelog\n\nAll notable changes"), text);
        assertTrue(text.contains("## [Unreleased]\n\n## [1.1.0] - 2026-11-27\n\n### Changed\n\n- checkout 1.1.0 deployed\n"), text);
    }

    @Test
    void newerEntriesGoFirstAndAVersionIsAddedOnce() {
        String one = Changelog.add(null, "1.1.0", Changelog.entry("1.1.0", DAY, "first"));
        String two = Changelog.add(one, "1.2.0", Changelog.entry("1.2.0", DAY.plusDays(1), "second"));
        assertBefore(two, "## [1.2.0]", "## [1.1.0]");
        assertBefore(two, "## [Unreleased]", "## [1.2.0]");
        assertEquals(two, Changelog.add(two, "1.2.0", Changelog.entry("1.2.0", DAY.plusDays(2), "again")));
        assertEquals(1, two.split("## \\[1.2.0\\]", -1).length - 1);
    }

    @Test
    void aChangelogWithoutAnUnreleasedSectionStillGetsTheEntryAboveTheLastRelease() {
        String existing = "# Changelog\n\n## [1.0.0] - 2026-01-01\n\n- first\n";
        String text = Changelog.add(existing, "1.1.0", Changelog.entry("1.1.0", DAY, "next"));
        assertBefore(text, "## [1.1.0]", "## [1.0.0]");
    }

    /** Both headings are there, {@code first} above {@code second}. */
    private static void assertBefore(String text, String first, String second) {
        int a = text.indexOf(first);
        int b = text.indexOf(second);
        assertTrue(a >= 0 && b >= 0, "both " + first + " and " + second + " in:\n" + text);
        assertTrue(a < b, first + " above " + second + " in:\n" + text);
    }
}
