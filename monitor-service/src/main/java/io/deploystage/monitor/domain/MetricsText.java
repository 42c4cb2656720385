package io.deploystage.monitor.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import io.deploystage.platform.domain.Texts;

/**
 * The Prometheus text exposition format (what an instance's {@code /metrics} serves, OpenMetrics text included),
 * read into series, and the selectors that pick them: {@code name} or {@code name{label="value",...}}. Lines that are
 * not a well-formed sample are skipped, never fatal: the text comes from the instances, not from us.
 */
public final class MetricsText {

    private MetricsText() {
    }

    public record Series(String name, Map<String, String> labels, double value) {
    }

    /** A metric name and the labels a series must carry. */
    public record Selector(String name, Map<String, String> labels) {

        public static Selector parse(String text) {
            String trimmed = text.trim();
            int brace = trimmed.indexOf('{');
            if (brace < 0) {
                requireName(trimmed);
                return new Selector(trimmed, Map.of());
            }
            if (!trimmed.endsWith("}")) {
                throw new IllegalArgumentException("a selector is name{label=\"value\",...}: " + Texts.abbreviate(text, 80));
            }
            String name = trimmed.substring(0, brace);
            requireName(name);
            Map<String, String> labels = MetricsText.labels(trimmed.substring(brace + 1, trimmed.length() - 1));
            if (labels == null) {
                throw new IllegalArgumentException("the labels of a selector are label=\"value\" pairs: " + Texts.abbreviate(text, 80));
            }
            return new Selector(name, labels);
        }

        public boolean matches(Series series) {
            return series.name().equals(name) && series.labels().entrySet().containsAll(labels.entrySet());
        }
    }

    public static List<Series> parse(String text) {
        List<Series> series = new ArrayList<>();
        for (String line : text.split("\n")) {
            Series parsed = line(line.strip());
            if (parsed != null) {
                series.add(parsed);
            }
        }
        return series;
    }

    /** The sum of the series the selector picks (0 when none). */
    public static double sum(List<Series> series, Selector selector) {
        return series.stream().filter(selector::matches).mapToDouble(Series::value).sum();
    }

    /** A histogram's cumulative bucket counts by upper bound ({@code le}, +Inf as infinity), summed over the series picked. */
    public static NavigableMap<Double, Double> buckets(List<Series> series, Selector selector) {
        NavigableMap<Double, Double> buckets = new TreeMap<>();
        for (Series s : series) {
            String le = s.labels().get("le");
            if (le != null && selector.matches(s)) {
                Double bound = bound(le);
                if (bound != null) {
                    buckets.merge(bound, s.value(), Double::sum);
                }
            }
        }
        return buckets;
    }

    static Double bound(String le) {
        if (le.equals("+Inf") || le.equals("Inf")) {
            return Double.POSITIVE_INFINITY;
        }
        try {
            double value = Double.parseDouble(le);
            return Double.isNaN(value) ? null : value;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Series line(String line) {
        if (line.isEmpty() || line.startsWith("#")) {
            return null;
        }
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        String name;
        Map<String, String> labels = Map.of();
        String rest;
        if (brace >= 0 && (space < 0 || brace < space)) {
            int close = closingBrace(line, brace);
            if (close < 0) {
                return null;
            }
            name = line.substring(0, brace);
            labels = labels(line.substring(brace + 1, close));
            rest = line.substring(close + 1).strip();
        } else if (space > 0) {
            name = line.substring(0, space);
            rest = line.substring(space + 1).strip();
        } else {
            return null;
        }
        if (labels == null || !name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            return null;
        }
        String value = rest.split("\\s+")[0];
        try {
            double parsed = value.equals("+Inf") ? Double.POSITIVE_INFINITY : value.equals("-Inf") ? Double.NEGATIVE_INFINITY
                    : Double.parseDouble(value);
            return Double.isNaN(parsed) ? null : new Series(name, labels, parsed);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The closing brace of a label set, skipping quoted values (which may hold braces). */
    private static int closingBrace(String line, int open) {
        boolean quoted = false;
        for (int i = open + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '}' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** {@code a="1",b="x\"y"}, or null when malformed. */
    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new HashMap<>();
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && (text.charAt(i) == ',' || text.charAt(i) == ' ')) {
                i++;
            }
            if (i >= text.length()) {
                break;
            }
            int eq = text.indexOf('=', i);
            if (eq < 0 || eq + 1 >= text.length() || text.charAt(eq + 1) != '"') {
                return null;
            }
            String key = text.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < text.length() && text.charAt(j) != '"'; j++) {
                char c = text.charAt(j);
                if (c == '\\' && j + 1 < text.length()) {
                    char next = text.charAt(++j);
                    value.append(next == 'n' ? '\n' : next);
                } else {
                    value.append(c);
                }
            }
            if (j >= text.length()) {
                return null;
            }
            labels.put(key, value.toString());
            i = j + 1;
        }
        return labels;
    }

    private static void requireName(String name) {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("not a metric name: " + Texts.abbreviate(name, 80));
        }
    }
}
