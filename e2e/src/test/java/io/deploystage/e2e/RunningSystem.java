package io.deploystage.e2e;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.deploystage.stack.EventClient;
import io.deploystage.stack.LocalStack;
import io.deploystage.stack.OtlpReceiver;
import io.deploystage.stack.SampleDescriptor;
import io.deploystage.stack.ServiceProcess;
import io.deploystage.stack.sample.SampleInstall;

/** The real stack and the five services, each in its own JVM: started once per test JVM, stopped at exit. */
final class RunningSystem {

    private static RunningSystem instance;

    final LocalStack stack;
    final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    final EventClient client;
    final SampleInstall.Installation sample;
    /** Every service exports its spans here (OTLP/HTTP): the end-to-end tests run with tracing on. */
    final OtlpReceiver traces;

    private RunningSystem() {
        Path work = Path.of("target", "e2e").toAbsolutePath();
        stack = LocalStack.start(work.resolve("stack"), LocalStack.Options.forTests(), List.of());
        long owner = ProcessHandle.current().pid();
        sample = SampleDescriptor.installWithBaseline(work.resolve("sample"), "1.0.0", owner);
        try {
            traces = OtlpReceiver.start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (String name : ServiceProcess.SERVICES) {
            ServiceProcess service = ServiceProcess.of(name, stack, work.resolve("logs"), 0).configure(Map.of(
                    "quarkus.otel.sdk.disabled", "false",
                    "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                    "quarkus.otel.exporter.otlp.traces.endpoint", traces.endpoint(),
                    "quarkus.otel.bsp.schedule.delay", "200ms"));
            if (name.equals("executor-service")) {
                // the sample's deploy tools; these flows push no metrics, so health waits are short and proceed when inconclusive
                service.configure(sample.executorConfig(owner)).configure(Map.of("executor.health.max-window", "1s",
                        "executor.health.freshness", "1s", "executor.health.when-inconclusive", "PROCEED"));
            }
            if (name.equals("monitor-service")) {
                service.configure(Map.of("monitor.warm-up", "2s"));
            }
            services.put(name, service.start());
        }
        client = EventClient.forStack(stack);
        SampleDescriptor.register(services.get("planner-service").baseUrl(), stack.tokens(), sample);
        stack.started().forEach(s -> System.out.printf("stack %-18s started in %5d ms, RSS %4d MiB%n", s.component(), s.millis(),
                LocalStack.rssMib(s.process() == null ? ProcessHandle.current().pid() : s.process().pid())));
        services.values().forEach(s -> System.out.printf("service %-16s started in %5d ms, RSS %4d MiB%n", s.name(), s.startMillis(),
                LocalStack.rssMib(s.pid())));
    }

    static synchronized RunningSystem get() {
        if (instance == null) {
            instance = new RunningSystem();
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
        return services.computeIfAbsent("console-service", name -> ServiceProcess.console(stack, Path.of("target", "e2e", "logs").toAbsolutePath(), 0,
                services.get("executor-service").baseUrl(), services.get("planner-service").baseUrl())
                .configure(Map.of("quarkus.log.console.json.enabled", "true")).start());
    }

    /** A JDBC connection to a service's own database. */
    Connection database(String service) throws SQLException {
        String db = service.replace("-service", "");
        return DriverManager.getConnection(stack.postgres().jdbcUrl(db), stack.postgres().user(), stack.postgres().password());
    }

    private void close() {
        client.close();
        services.values().forEach(ServiceProcess::close);
        sample.stopAll();
        stack.close();
        traces.close();
    }
}
