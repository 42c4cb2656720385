package io.deploystage.executor.runner;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * Masks secrets before output reaches an event or a log: the values of the step's secret environment variables,
 * and anything that looks like {@code password=…}, {@code token: …} or a bearer token.
 */
public final class SecretMask {

    static final String MASK = "****";
    /** key=value, key: value (YAML), "key": "value" (JSON), with the key anywhere in a longer name (db_password, githubToken). */
    private static final Pattern ASSIGNMENT = Pattern.compile("(?i)((?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key"
            + "|credentials?|authorization)[\\w-]*[\"']?\\s*[=:]\\s*)(\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|[^\\s,}]+)");
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");

    private SecretMask() {
    }

    public static String mask(String text, Collection<String> secretValues) {
        String masked = text;
        for (String secret : secretValues) {
            if (secret != null && secret.length() >= 4) {
                masked = masked.replace(secret, MASK);
            }
        }
        masked = BEARER.matcher(masked).replaceAll("$1" + MASK);
        return ASSIGNMENT.matcher(masked).replaceAll("$1" + MASK);
    }

    /** The last {@code max} characters, where failures usually explain themselves, with a marker when cut. */
    public static String tail(String text, int max) {
        return text.length() <= max ? text : "…(" + (text.length() - max) + " characters cut)…" + text.substring(text.length() - max);
    }
}
