package io.deploystage.events;

import java.util.List;

/**
 * The measures a {@link MetricQuery} can name, shared by the planner (which validates descriptors) and the monitor
 * (which runs the queries).
 */
public final class MetricQueryNames {

    /** Requests in the window (PromQL), or a counter selector (scrape). */
    public static final String REQUESTS = "requests";
    /** Failed requests in the window, or a counter selector. */
    public static final String ERRORS = "errors";
    /** Latency histogram buckets by {@code le}, in seconds. */
    public static final String LATENCY_BUCKETS = "latency_buckets";
    /** New ERROR log lines, or a counter selector. */
    public static final String ERROR_LOG_LINES = "error_log_lines";
    /** Prefix of a business metric, as a counter: {@code business.orders}. */
    public static final String BUSINESS_PREFIX = "business.";
    /** The instances' metrics URLs, comma-separated: the environment is scraped directly instead of queried. */
    public static final String SCRAPE = "scrape";

    private static final List<String> MEASURES = List.of(REQUESTS, ERRORS, LATENCY_BUCKETS, ERROR_LOG_LINES, SCRAPE);

    private MetricQueryNames() {
    }

    public static boolean isKnown(String name) {
        return name != null && (MEASURES.contains(name)
                || (name.startsWith(BUSINESS_PREFIX) && name.substring(BUSINESS_PREFIX.length()).matches("[A-Za-z0-9_.-]{1,100}")));
    }

    /** "requests, errors, …", for error messages. */
    public static String known() {
        return String.join(", ", MEASURES) + ", " + BUSINESS_PREFIX + "<name>";
    }
}
