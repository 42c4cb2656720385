package io.deploystage.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.deploystage.events.EventEnvelope;
import io.deploystage.events.NotificationRecord;
import io.deploystage.events.Topics;
import io.deploystage.stack.sample.SampleInstall;

/**
 * The main job on embedded defaults: starts the real stack (Kafka, PostgreSQL, Apicurio Registry; no Docker) and
 * the five services as their own JVMs, takes a sample release through the flow while printing every event, then
 * stops everything. Options: --stay (keep watching until Ctrl-C), --work-dir DIR.
 */
public final class Launcher {

    private final List<AutoCloseable> running = new ArrayList<>();

    public static void main(String[] args) {
        boolean stay = false;
        Path workDir = Path.of("target", "local-run").toAbsolutePath();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--stay" -> stay = true;
                case "--work-dir" -> workDir = Path.of(args[++i]).toAbsolutePath();
                case "-h", "--help" -> {
                    System.out.println("usage: run-local [--stay] [--work-dir DIR]");
                    return;
                }
                default -> {
                    System.err.println("unknown option " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        Launcher launcher = new Launcher();
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::stopAll, "deploy-stage-stop"));
        try {
            System.exit(launcher.run(workDir, stay));
        } catch (RuntimeException e) {
            System.err.println("Deploy Stage could not run: " + e.getMessage());
            System.exit(1);
        }
    }

    int run(Path workDir, boolean stay) {
        say("Starting the local stack in " + workDir + " (Kafka, PostgreSQL, Apicurio Registry)…");
        LocalStack.deleteRecursively(workDir);
        LocalStack stack = LocalStack.start(workDir.resolve("stack"),
                new LocalStack.Options(LocalStack.KafkaMode.CHILD_PROCESS, true, 0, 0, 0), List.of());
        running.add(stack);
        stack.started().forEach(s -> say(String.format("  %-18s up in %5d ms%s", s.component(), s.millis(),
                s.process() == null ? "" : ", RSS " + LocalStack.rssMib(s.process().pid()) + " MiB")));
        say("  kafka " + stack.kafkaBootstrapServers() + ", registry " + stack.registryUrl());

        long owner = ProcessHandle.current().pid();
        say("Installing the sample service " + SampleDescriptor.SERVICE + " and starting version 1.0.0 on its instances…");
        SampleInstall.Installation sample = SampleDescriptor.installWithBaseline(workDir.resolve("sample"), "1.0.0", owner);
        running.add(sample::stopAll);
        sample.ports().forEach((instance, port) -> say(String.format("  %-10s http://127.0.0.1:%d", instance, port)));

        java.util.Map<String, ServiceProcess> services = new java.util.HashMap<>();
        for (String name : ServiceProcess.SERVICES) {
            say("Starting " + name + "…");
            ServiceProcess service = ServiceProcess.of(name, stack, workDir.resolve("logs"), 0);
            if (name.equals("executor-service")) {
                service.configure(sample.executorConfig(owner)).configure(java.util.Map.of("executor.health.max-window", "2s",
                        "executor.health.when-inconclusive", "PROCEED"));
            }
            running.add(service);
            services.put(name, service);
            service.start();
            say(String.format("  %-18s up in %5d ms at %s, RSS %d MiB (log: %s)", name, service.startMillis(), service.baseUrl(),
                    LocalStack.rssMib(service.pid()), workDir.resolve("logs").resolve(name + ".log")));
        }

        say("Registering the deploy descriptor of the sample service " + SampleDescriptor.SERVICE + " with the planner…");
        SampleDescriptor.register(services.get("planner-service").baseUrl(), stack.tokens(), sample);
        EventClient client = EventClient.forStack(stack);
        running.add(client);
        EventClient.Reader reader = client.reader(Topics.all());
        running.add(reader);
        String releaseId = "checkout-1.1.0-" + UUID.randomUUID().toString().substring(0, 8);
        say("Submitting release " + releaseId + " and its three passing gate results…");
        client.publish(SampleEvents.releaseCandidate(releaseId, "checkout", "1.1.0"));
        SampleEvents.passingGates(releaseId).forEach(client::publish);

        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        boolean done = false;
        while (stay || !done) {
            for (ConsumerRecord<String, Object> record : reader.poll(Duration.ofMillis(200))) {
                if (record.value() instanceof SpecificRecordBase event) {
                    say(EventFormatter.line(Instant.ofEpochMilli(record.timestamp()), event));
                    done |= event instanceof NotificationRecord && releaseId.equals(EventEnvelope.releaseId(event));
                }
            }
            if (!stay && System.nanoTime() > deadline) {
                say("The release did not complete within 2 minutes; see the service logs in " + workDir.resolve("logs"));
                return 1;
            }
        }
        say("Release " + releaseId + " went through all five services. Stopping everything.");
        return 0;
    }

    private synchronized void stopAll() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println("while stopping: " + e);
            }
        }
        running.clear();
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
