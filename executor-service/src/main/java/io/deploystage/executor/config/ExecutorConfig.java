package io.deploystage.executor.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the executor runs steps. */
@ConfigMapping(prefix = "executor")
public interface ExecutorConfig {

    /** A second deployment of a service while one runs: QUEUE (wait for it) or REFUSE (outcome ABORTED). */
    @WithDefault("QUEUE")
    Concurrency concurrency();

    /** How often the engine looks for deployments to drive (it is also woken by every committed event). */
    @WithDefault("500ms")
    Duration pollInterval();

    /**
     * How long a deployment's lease lasts without a heartbeat (renewed every third of it): when the instance driving a
     * deployment dies, another takes it over this long after its last heartbeat.
     */
    @WithDefault("10s")
    Duration leaseTtl();

    Command command();

    Health health();

    Approval approval();

    HttpCheck httpCheck();

    Traffic traffic();

    Flags flags();

    BlueGreen blueGreen();

    /** The git repository release tags go into (a local path); without it, tag steps are skipped. */
    Optional<String> gitRepository();

    enum Concurrency {
        QUEUE, REFUSE
    }

    /** Command steps. */
    interface Command {
        @WithDefault("10m")
        Duration timeout();

        /** Working directory of every command; the executor's own when unset. */
        Optional<String> workingDirectory();

        /** Extra environment of every command (for example a PATH with the deploy tools first). */
        Map<String, String> environment();

        /**
         * The only variables a command gets from the executor's own environment (never its database password or tokens):
         * these, then {@link #environment()}.
         */
        @WithDefault("PATH,HOME,LANG,LC_ALL,TZ,TMPDIR,USER,JAVA_HOME")
        List<String> inheritEnvironment();

        /**
         * Directories the executables of commands must lie in (argv[0], resolved on the command's PATH, symbolic links
         * followed). Unset: any executable, with a warning at start.
         */
        Optional<List<String>> allowedPaths();

        /** Names of environment variables whose values are masked in step output and logs. */
        Optional<List<String>> secretVariables();

        /** Characters of a command's output kept in the step event (the tail). */
        @WithDefault("2000")
        int maxOutput();
    }

    /** Wait-for-health steps. */
    interface Health {
        /** Longest window a step waits, whatever the plan says (a local run uses seconds, not the plan's 10 minutes). */
        Optional<Duration> maxWindow();

        /** When no verdict or only INCONCLUSIVE verdicts arrived in the window: PAUSE for a human, PROCEED, or FAIL. */
        @WithDefault("PAUSE")
        WhenInconclusive whenInconclusive();

        /**
         * How often, at the latest, a waiting step reads the verdicts and approvals received; a verdict or an approval
         * committed by any instance wakes the step at once (a PostgreSQL notification), so this only bounds how late one is
         * seen when that notification is missed (the listening connection down).
         */
        @WithDefault("1s")
        Duration poll();

        /**
         * How fresh the evidence must be: the latest verdict of each check must cover the window up to this much before
         * its end, with no longer gap between verdicts (silence is not health). At least the metrics' reporting interval.
         */
        @WithDefault("1m")
        Duration freshness();

        /**
         * One service's own health settings, by its name ({@code executor.health.service."checkout".when-inconclusive=PROCEED}):
         * what it leaves unset comes from the settings above.
         */
        Map<String, ServiceHealth> service();

        /** The settings a service's health steps use. */
        default HealthPolicy policyFor(String service) {
            ServiceHealth own = service().get(service);
            if (own == null) {
                return new HealthPolicy(maxWindow(), whenInconclusive(), freshness());
            }
            return new HealthPolicy(own.maxWindow().or(this::maxWindow), own.whenInconclusive().orElse(whenInconclusive()),
                    own.freshness().orElse(freshness()));
        }
    }

    /** A service's own health settings; see {@link Health}. */
    interface ServiceHealth {
        Optional<Duration> maxWindow();

        Optional<WhenInconclusive> whenInconclusive();

        Optional<Duration> freshness();
    }

    /** The health settings in force for one service's steps. */
    record HealthPolicy(Optional<Duration> maxWindow, WhenInconclusive whenInconclusive, Duration freshness) {
    }

    enum WhenInconclusive {
        PAUSE, PROCEED, FAIL
    }

    /** Approval steps. */
    interface Approval {
        /** How long an approval step waits before it fails. */
        @WithDefault("24h")
        Duration timeout();
    }

    /** Smoke tests. */
    interface HttpCheck {
        @WithDefault("5")
        int attempts();

        @WithDefault("500ms")
        Duration firstBackoff();

        @WithDefault("5s")
        Duration timeout();
    }

    /** Traffic steps. */
    interface Traffic {
        /** command (run the plan's trafficSwitch argv) or kubernetes (the fabric8 driver). */
        @WithDefault("command")
        String driver();

        /** Namespace the kubernetes driver works in. */
        @WithDefault("default")
        String namespace();
    }

    /** Flag steps. */
    interface Flags {
        /** builtin (this executor's flag store, served over OFREP) or command (run the plan's flagSet argv). */
        @WithDefault("builtin")
        String provider();

        /** Most flags (and unknown keys) the OFREP cache keeps in memory; when full it starts again. */
        @WithDefault("10000")
        int cacheEntries();
    }

    /** Blue/green deployments. */
    interface BlueGreen {
        /** The colour taken as live for a service no blue/green deployment has switched yet. */
        @WithDefault("blue")
        String initialLive();
    }
}
