package io.deploystage.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.deploystage.stack.Demo;
import io.deploystage.stack.EventClient;
import io.deploystage.stack.LocalStack;
import io.deploystage.stack.OtlpReceiver;
import io.deploystage.stack.SampleDescriptor;
import io.deploystage.stack.ServiceProcess;
import io.deploystage.stack.TcpProxy;
import io.deploystage.stack.sample.SampleInstall;

/**
 * The real stack and the five services, each in its own JVM: started once per test JVM with every setting the test
 * classes need, stopped at exit. A class isolates itself by the service it releases ({@link #sample(String)}), arms a
 * fault by a release's id ({@link #heldBy(String)}), and cuts a service's PostgreSQL or registry at its relay
 * ({@link #databaseRelay(String)}, {@link #registryRelay(String)}): no class restarts a service to change a setting.
 */
final class RunningSystem {

    /** The notifier's Slack destination for the fault soak's service, on {@link #receiver}. */
    static final String SOAK_ROUTE = "soak";

    private static RunningSystem instance;
    private static Throwable failedStart;

    final LocalStack stack;
    /** The five services, as started; not changed after (classes running side by side read it). */
    final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private ServiceProcess console;
    final EventClient client;
    /** The demo's service, "checkout" (other classes install their own: {@link #sample(String)}). */
    final SampleInstall.Installation sample;
    /** Every service exports its spans here (OTLP/HTTP): the end-to-end tests run with tracing on. */
    final OtlpReceiver traces;
    /** Where the notifier posts the fault soak's messages. */
    final Receiver receiver;
    private final Path work = Path.of("target", "e2e").toAbsolutePath();
    private final Path samplesRoot = work.resolve("samples");
    private final Map<String, SampleInstall.Installation> samples = new LinkedHashMap<>();
    private final Map<String, TcpProxy> databaseRelays = new LinkedHashMap<>();
    private final Map<String, TcpProxy> registryRelays = new LinkedHashMap<>();
    /** Each service's settings beyond the stack's, for every instance of it. */
    private final Map<String, Map<String, String>> settings = new LinkedHashMap<>();

    private RunningSystem() {
        stack = LocalStack.start(work.resolve("stack"), LocalStack.Options.forTests(), List.of());
        try {
            traces = OtlpReceiver.start();
        } catch (IOException e) {
            stack.close();
            throw new UncheckedIOException(e);
        }
        receiver = Receiver.start();
        try {
            client = startServices();
            sample = sample(SampleDescriptor.SERVICE);
        } catch (RuntimeException | Error e) {
            close(); // nothing of a failed start keeps running beside the tests that follow
            throw e;
        }
        stack.started().forEach(s -> System.out.printf("stack %-18s started in %5d ms, RSS %4d MiB%n", s.component(), s.millis(),
                LocalStack.rssMib(s.process() == null ? ProcessHandle.current().pid() : s.process().pid())));
        services.values().forEach(s -> System.out.printf("service %-16s started in %5d ms, RSS %4d MiB%n", s.name(), s.startMillis(),
                LocalStack.rssMib(s.pid())));
    }

    /** Starts the five services, each with its relays and settings; returns a client of the stack. */
    private EventClient startServices() {
        URI registryUrl = URI.create(stack.registryUrl());
        for (String name : ServiceProcess.SERVICES) {
            TcpProxy database = TcpProxy.to("localhost", stack.postgres().port());
            TcpProxy registry = TcpProxy.to(registryUrl.getHost(), registryUrl.getPort());
            databaseRelays.put(name, database);
            registryRelays.put(name, registry);
            Map<String, String> own = new LinkedHashMap<>(Map.of(
                    "quarkus.otel.sdk.disabled", "false",
                    "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                    "quarkus.otel.exporter.otlp.traces.endpoint", traces.endpoint(),
                    "quarkus.otel.bsp.schedule.delay", "200ms",
                    "deploystage.fault.hold-outbox-for", heldBy(name)));
            own.putAll(relayed(name, database, registry));
            if (name.equals("executor-service")) {
                own.putAll(executorSettings());
            }
            if (name.equals("monitor-service")) {
                own.put("monitor.warm-up", "2s");
                // a window that stays open across MonitorRestartTest's restart
                own.put("monitor.service.\"" + MonitorRestartTest.RESTART_SERVICE + "\".verdict-interval", "1h");
            }
            if (name.equals("notifier-service")) {
                own.putAll(notifierSettings());
            }
            settings.put(name, own);
            services.put(name, ServiceProcess.of(name, stack, work.resolve("logs"), 0).configure(own));
        }
        ServiceProcess.startAll(services.values());
        return EventClient.forStack(stack);
    }

    /**
     * The executor's settings: the sample's deploy tools of every installation; the flows of the other services push no
     * metrics, so their health waits are short and proceed when inconclusive; the demo's service
     * ({@link SampleDescriptor#SERVICE}) is judged on its metrics as the main job judges it ({@link Demo#EXECUTOR_SETTINGS}).
     */
    private Map<String, String> executorSettings() {
        Map<String, String> executor = new LinkedHashMap<>(SampleInstall.executorConfig(samplesRoot, ProcessHandle.current().pid()));
        executor.putAll(Map.of("executor.health.max-window", "1s", "executor.health.freshness", "1s", "executor.health.when-inconclusive", "PROCEED"));
        Demo.EXECUTOR_SETTINGS.forEach((key, value) -> executor.put(key.replace("executor.health.",
                "executor.health.service.\"" + SampleDescriptor.SERVICE + "\"."), value));
        // health waits long enough to be killed in (ExecutorResumeTest), to stall in (TwoExecutorsTest), to be ended early
        // by a rollback the other executor takes (TwoExecutorsTest), or to be cut by a fault (FaultSoakTest)
        Map.of(ExecutorResumeTest.SERVICE, "6s", TwoExecutorsTest.SERVICE, "4s", TwoExecutorsTest.BAKING_SERVICE, "12s", FaultSoakTest.SERVICE, "2s")
                .forEach((service, window) -> executor.put("executor.health.service.\"" + service + "\".max-window", window));
        return executor;
    }

    /**
     * The notifier's destinations on {@link #receiver}: the fault soak's Slack channel; NotifierSendCrashTest's webhook
     * (it honours the Idempotency-Key) and Slack channel, with its crash right after a send armed by the release's id;
     * TwoNotifiersTest's Slack channel.
     */
    private Map<String, String> notifierSettings() {
        Map<String, String> notifier = new LinkedHashMap<>();
        notifier.putAll(slack(SOAK_ROUTE, FaultSoakTest.SERVICE));
        notifier.putAll(slack("slack", null));
        notifier.putAll(Map.of("notifier.destinations.hook.kind", "webhook", "notifier.destinations.hook.url", receiver.url("/hook"),
                "notifier.destinations.hook.secret", "s3cret", "notifier.routes." + NotifierSendCrashTest.SERVICE, "hook,slack",
                "notifier.halt-after-send-for", NotifierSendCrashTest.HALTING));
        notifier.putAll(slack(TwoNotifiersTest.ROUTE, TwoNotifiersTest.SERVICE));
        return notifier;
    }

    /** A Slack destination named {@code destination} on {@link #receiver} (at /{@code destination}), the route of {@code service} if given. */
    private Map<String, String> slack(String destination, String service) {
        Map<String, String> slack = new LinkedHashMap<>(Map.of("notifier.destinations." + destination + ".kind", "slack",
                "notifier.destinations." + destination + ".url", receiver.url("/" + destination)));
        if (service != null) {
            slack.put("notifier.routes." + service, destination);
        }
        return slack;
    }

    /** The settings that route a service's PostgreSQL and registry connections through its relays. */
    private Map<String, String> relayed(String service, TcpProxy database, TcpProxy registry) {
        String db = service.replace("-service", "");
        URI registryUrl = URI.create(stack.registryUrl());
        return Map.of(
                "quarkus.datasource.reactive.url", "postgresql://localhost:" + database.port() + "/" + db,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + database.port() + "/" + db,
                "deploystage.registry-url", stack.registryUrl().replace(":" + registryUrl.getPort() + "/", ":" + registry.port() + "/"));
    }

    /**
     * The sample installed as {@code service}, with 1.0.0 running on its instances and its descriptor registered: each
     * test class deploys its own service, so no class waits behind another's deployments or reads another's instances.
     */
    synchronized SampleInstall.Installation sample(String service) {
        return samples.computeIfAbsent(service, name -> {
            SampleInstall.Installation installed = SampleDescriptor.installWithBaseline(samplesRoot.resolve(name), "1.0.0",
                    ProcessHandle.current().pid());
            SampleDescriptor.register(services.get("planner-service").baseUrl(), stack.tokens(), installed, name);
            return installed;
        });
    }

    /** A restart's setting that disarms {@link #heldBy(String)}: the instance publishes what is in its outbox. */
    static final Map<String, String> UNHELD = Map.of("deploystage.fault.hold-outbox-for", "");

    /**
     * The release-id prefix whose events {@code service} keeps in its outbox (a kill -9 between consume and emit, armed
     * by the release's id instead of by restarting the service); a restart with {@link #UNHELD} publishes them.
     */
    static String heldBy(String service) {
        return "held-" + service.replace("-service", "") + "-";
    }

    /** The relay between {@code service} (every instance of it) and PostgreSQL: cut it for an outage. */
    TcpProxy databaseRelay(String service) {
        return databaseRelays.get(service);
    }

    /** The relay between {@code service} (every instance of it) and the registry: cut it for an outage. */
    TcpProxy registryRelay(String service) {
        return registryRelays.get(service);
    }

    /** Another instance of {@code name}, configured as the system's (relays, settings), logging under {@code logs}; not started. */
    ServiceProcess another(String name, String logs) {
        return ServiceProcess.of(name, stack, work.resolve("logs").resolve(logs), 0).configure(settings.get(name));
    }

    /**
     * The system, started on first use. A start that failed is not tried again by the next class (a second stack beside
     * the remains of the first would only bring more failures): every later class fails with the first one's cause.
     */
    static synchronized RunningSystem get() {
        if (failedStart != null) {
            throw new IllegalStateException("the end-to-end system failed to start (see the first failure)", failedStart);
        }
        if (instance == null) {
            try {
                instance = new RunningSystem();
            } catch (RuntimeException | Error e) {
                failedStart = e;
                throw e;
            }
            RunningSystem started = instance;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "e2e-shutdown"));
        }
        return instance;
    }

    ServiceProcess service(String name) {
        return services.get(name);
    }

    /** The operator console against this system, started on first use (the tests that need it share it). */
    synchronized ServiceProcess console() {
        // with JSON log lines, as a log pipeline would take them (CliTest reads them)
        if (console == null) {
            console = ServiceProcess.console(stack, work.resolve("logs"), 0, services.get("executor-service").baseUrl(),
                    services.get("planner-service").baseUrl()).configure(Map.of("quarkus.log.console.json.enabled", "true")).start();
        }
        return console;
    }

    /** Whether the service's inbox holds the event as processed ({@link LocalStack#processed}). */
    boolean processed(String service, java.util.UUID eventId) {
        return stack.processed(service.replace("-service", ""), eventId);
    }

    /** How many of the release's events the service's outbox still holds ({@link LocalStack#unpublished}). */
    long unpublished(String service, String releaseId) {
        return stack.unpublished(service.replace("-service", ""), releaseId);
    }

    /** A JDBC connection to a service's own database. */
    Connection database(String service) throws SQLException {
        String db = service.replace("-service", "");
        return DriverManager.getConnection(stack.postgres().jdbcUrl(db), stack.postgres().user(), stack.postgres().password());
    }

    private void close() {
        if (client != null) {
            client.close();
        }
        List<ServiceProcess> all = new java.util.ArrayList<>(services.values());
        if (console != null) {
            all.add(console);
        }
        ServiceProcess.closeAll(all);
        samples.values().forEach(SampleInstall.Installation::stopAll);
        databaseRelays.values().forEach(TcpProxy::close);
        registryRelays.values().forEach(TcpProxy::close);
        stack.close();
        traces.close();
        receiver.close();
    }
}
