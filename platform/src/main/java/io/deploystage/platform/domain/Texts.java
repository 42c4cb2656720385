package io.deploystage.platform.domain;

/**
 * Shared text rules: how text from outside is shortened before it goes into a message, a log line or an event, and the
 * patterns ids and keys are checked against (compile-time constants, so they serve in {@code @Pattern} too).
 */
public final class Texts {

    /** What marks shortened text. */
    public static final String ELLIPSIS = "…";

    /** The first character of an id or a key: a letter or a digit. */
    public static final String ID_START = "[A-Za-z0-9]";
    /** The characters of an id after its first: letters, digits, '.', '_', ':' and '-'. */
    public static final String ID_REST = "[A-Za-z0-9._:-]";
    /** The characters of a key after its first: letters, digits, '.', '_' and '-' (no ':'). */
    public static final String KEY_REST = "[A-Za-z0-9._-]";
    /**
     * An id that goes into keys, URLs and logs (release id, service name, calendar scope): letters, digits and
     * . _ : - only, starting with a letter or a digit. Its length is bounded where it is used.
     */
    public static final String ID = ID_START + ID_REST + "*";
    /** A key (a feature flag's): letters, digits and . _ - only, starting with a letter or a digit. Its length is bounded where it is used. */
    public static final String KEY = ID_START + KEY_REST + "*";
    /** A feature flag's key as the executor keeps it and the plan's steps name it: a {@link #KEY} of 1 to 200 characters. */
    public static final String FLAG_KEY = ID_START + KEY_REST + "{0,199}";

    private Texts() {
    }

    /**
     * {@code text} itself when it has at most {@code keep} characters, else its first {@code keep} characters followed by
     * {@link #ELLIPSIS} (so at most {@code keep + 1} characters in all).
     */
    public static String abbreviate(String text, int keep) {
        return text.length() <= keep ? text : text.substring(0, keep) + ELLIPSIS;
    }

    /**
     * {@code text} itself when it has at most {@code max} characters, else cut so that, with {@code marker} appended, it
     * has exactly {@code max} characters: for a field with a hard limit. {@code marker} may be empty.
     */
    public static String fit(String text, int max, String marker) {
        return text.length() <= max ? text : text.substring(0, max - marker.length()) + marker;
    }
}
