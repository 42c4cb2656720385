package io.deploystage.planner.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.deploystage.platform.domain.CommandPolicy;
import io.deploystage.platform.domain.Texts;

/**
 * A command as argv with placeholders ({version}, {commit}, {environment}, {instance}, and {weight} and {flag} for
 * traffic and flag steps). It is never given to a shell: the template may not start a shell, may not contain shell
 * metacharacters, and every value put into it is validated first. {@code rerunSafe}: the descriptor declares that running
 * it again after an interruption does no harm (the executor then re-runs an interrupted step instead of pausing).
 */
public record CommandTemplate(List<String> argv, boolean rerunSafe) {

    public static final Set<String> PLACEHOLDERS = Set.of("version", "commit", "environment", "instance", "weight", "flag");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");
    /** Characters a shell would interpret; refused in templates and in values. */
    private static final Pattern SHELL_META = Pattern.compile("[;&|$`<>(){}\\[\\]*?!~#'\"\\\\\\s]");
    /** A value that may be substituted: version, commit, environment, instance name, weight or flag key. */
    private static final Pattern SAFE_VALUE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@+=,-]{0,199}");

    public CommandTemplate {
        argv = List.copyOf(argv);
    }

    /** A command the descriptor does not declare safe to run again after an interruption. */
    public CommandTemplate(List<String> argv) {
        this(argv, false);
    }

    /** The problems of this template, in words; empty when it is valid. */
    public List<String> problems(String where) {
        // shells, interpreters and wrappers: the rule the executor applies to the plan too
        List<String> problems = new ArrayList<>(CommandPolicy.problems(where, argv));
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (arg.length() > 500) {
                problems.add(where + "[" + i + "]: longer than 500 characters");
                continue;
            }
            Matcher m = PLACEHOLDER.matcher(arg);
            while (m.find()) {
                if (!PLACEHOLDERS.contains(m.group(1))) {
                    problems.add(where + "[" + i + "]: unknown placeholder {" + m.group(1) + "}; allowed: " + PLACEHOLDERS.stream().sorted().toList());
                }
            }
            String literal = PLACEHOLDER.matcher(arg).replaceAll("");
            if (SHELL_META.matcher(literal).find() || literal.chars().anyMatch(Character::isISOControl)) {
                problems.add(where + "[" + i + "]: '" + abbreviate(arg) + "' contains shell metacharacters or white space");
            }
        }
        return problems;
    }

    /** The argv with each placeholder replaced; refuses a value that is not safe. */
    public List<String> render(Map<String, String> values) {
        List<String> out = new ArrayList<>();
        for (String arg : argv) {
            Matcher m = PLACEHOLDER.matcher(arg);
            StringBuilder rendered = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                String value = values.get(name);
                if (value == null) {
                    throw new IllegalArgumentException("no value for {" + name + "}");
                }
                requireSafe(name, value);
                m.appendReplacement(rendered, Matcher.quoteReplacement(value));
            }
            m.appendTail(rendered);
            out.add(rendered.toString());
        }
        return out;
    }

    /** Whether a value may be put into a command (letters, digits and . _ : / @ + = , - only). */
    public static boolean isSafe(String value) {
        return value != null && SAFE_VALUE.matcher(value).matches() && !value.contains("..");
    }

    public static void requireSafe(String name, String value) {
        if (!isSafe(value)) {
            throw new IllegalArgumentException(name + " '" + abbreviate(value) + "' may not be put into a command: only letters, digits"
                    + " and . _ : / @ + = , - are allowed");
        }
    }

    /** A value for a message: control characters become '?', and at most 60 characters are kept. */
    public static String abbreviate(String text) {
        return Texts.abbreviate(text.replaceAll("\\p{Cntrl}", "?"), 60);
    }
}
