package io.deploystage.platform.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings shared by every Deploy Stage service. */
@ConfigMapping(prefix = "deploystage")
public interface PlatformConfig {

    /** Base URL of the Apicurio Registry v3 API, e.g. http://localhost:8081/apis/registry/v3. */
    @WithDefault("http://localhost:8081/apis/registry/v3")
    String registryUrl();

    /** The registry login (HTTP basic) the service registers its schemas with; unset: none (a registry open to all). */
    java.util.Optional<String> registryUsername();

    /** Its password (give it as DEPLOYSTAGE_REGISTRY_PASSWORD; never logged). */
    java.util.Optional<String> registryPassword();

    /** The transactional outbox relay. */
    Outbox outbox();

    /** The record of processed events that makes consumers idempotent. */
    Inbox inbox();

    /** Test hooks that simulate a crash at a precise point; all off by default. */
    Fault fault();

    /** Which URLs the service calls (smoke and version checks, scrapes, Prometheus, notification destinations). */
    Urls urls();

    interface Urls {
        /** Address ranges every address of a URL's host must be in (e.g. 10.0.0.0/8); unset: any not denied. */
        java.util.Optional<java.util.List<String>> allow();

        /** Address ranges never called: link-local and the cloud metadata addresses by default. */
        @WithDefault("169.254.0.0/16,fd00:ec2::254/128,fe80::/10,100.100.100.200/32")
        java.util.List<String> deny();
    }

    interface Outbox {
        /**
         * How often the relay looks for committed events that are not yet on Kafka when nothing told it: a commit that
         * stages events notifies every instance's relay, so this only bounds the delay while that notification is lost.
         */
        @WithDefault("1s")
        Duration pollInterval();

        /** Most events published in one relay pass. */
        @WithDefault("200")
        int batchSize();
    }

    interface Inbox {
        /**
         * How long a processed event's id is kept to recognise its redelivery (and a release's trace context to join its
         * trace). Keep it longer than the topics keep their records: a record redelivered after it is processed again.
         */
        @WithDefault("14d")
        Duration retention();

        /** How often the ids older than the retention are deleted (in batches). */
        @WithDefault("1h")
        Duration retentionCheck();
    }

    interface Fault {
        /**
         * A release-id prefix: the events of those releases stay in the outbox while an instance runs with it (an instance
         * started without it publishes them), so a test can kill -9 between consume and emit, armed by a release's id.
         */
        Optional<String> holdOutboxFor();

        /** Halt the JVM inside the first consume transaction, before it commits. */
        @WithDefault("false")
        boolean haltBeforeCommit();
    }
}
