package io.deploystage.monitor.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the monitor judges windows and where it reads metrics from. */
@ConfigMapping(prefix = "monitor")
public interface MonitorConfig {

    /**
     * A HEALTHY or INCONCLUSIVE verdict per check and cohort at most this often; the samples in between make up its
     * window. A FAILING verdict, and its rollback, never wait.
     */
    @WithDefault("1s")
    Duration verdictInterval();

    /** One service's own settings, by its name ({@code monitor.service."checkout".verdict-interval=10s}). */
    Map<String, ServiceSettings> service();

    /** A service's own settings; what it leaves unset comes from the monitor's. */
    interface ServiceSettings {
        Optional<Duration> verdictInterval();
    }

    /** The verdict interval of {@code service}'s windows. */
    default Duration verdictIntervalFor(String service) {
        ServiceSettings own = service == null ? null : service().get(service);
        return own == null ? verdictInterval() : own.verdictInterval().orElse(verdictInterval());
    }

    /**
     * A cohort's window is said once it holds the samples its checks need (minSamples), or once it has measured this
     * long; until then it stays open and grows, so a small canary is judged on enough requests, not on each second's few.
     */
    @WithDefault("1m")
    Duration longestWindow();

    /** How long a DEPLOYED release is still watched, and rolled back on a breach (the spec's stabilization window). */
    @WithDefault("24h")
    Duration stabilization();

    /**
     * After a step puts a version on an instance, how long its environment warms up: the latencies measured meanwhile
     * are not judged (a fresh process answers slowly at first), as Argo's initialDelay and Flagger's analysis interval do.
     */
    @WithDefault("1m")
    Duration warmUp();

    /** Confidence of the tests of significance: the canary's comparison with the stable cohort, and the error rate's with the baseline. */
    @WithDefault("0.95")
    double canaryConfidence();

    Sources sources();

    /** Pull sources: PromQL queries against a Prometheus server, and direct scrapes of the instances' /metrics. */
    interface Sources {

        /** The Prometheus HTTP API, such as {@code http://prometheus:9090}; without it, PromQL queries are not run. */
        Optional<String> prometheusUrl();

        /** How to log in to it: hosted Prometheus-compatible services want a token or a password, often over TLS. */
        PrometheusAccess prometheusAccess();

        /** How often the pull sources are read while a deployment is watched. */
        @WithDefault("15s")
        Duration pollInterval();

        /** The pre-deploy baseline a pull source reads when a plan arrives (the spec's 15-minute window). */
        @WithDefault("15m")
        Duration baselineWindow();

        /** Timeout of one query or scrape. */
        @WithDefault("5s")
        Duration timeout();

        /** The largest scrape body read; a larger one is cut there (its last, partial line is dropped). */
        @WithDefault("5000000")
        int maxScrapeBytes();
    }

    /**
     * The Prometheus API's login (sent to it only, never to the instances scraped directly, and never logged): a bearer
     * token, or a user and password (HTTP basic), not both; the CA certificates (PEM) an https URL's certificate is
     * checked against when it is not signed by a public one; headers some services want (a tenant, say X-Scope-OrgID).
     */
    interface PrometheusAccess {

        Optional<String> bearerToken();

        Optional<String> username();

        Optional<String> password();

        Optional<java.nio.file.Path> caFile();

        java.util.Map<String, String> headers();
    }
}
