package io.deploystage.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.deploystage.stack.sample.SampleInstall;
import io.deploystage.stack.sample.SampleTraffic;

/**
 * The main job on embedded defaults: starts the real stack (Kafka, PostgreSQL, Apicurio Registry; no Docker) and
 * the five services as their own JVMs, takes a sample release through the flow while printing every event, then
 * stops everything. Options: --stay (keep watching until Ctrl-C), --work-dir DIR.
 */
public final class Launcher {

    private final List<AutoCloseable> running = new ArrayList<>();

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("token")) {
            System.exit(token(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        boolean stay = false;
        Path workDir = Path.of("target", "local-run").toAbsolutePath();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--stay" -> stay = true;
                case "--work-dir" -> workDir = Path.of(args[++i]).toAbsolutePath();
                case "-h", "--help" -> {
                    System.out.println("usage: run-local [--stay] [--work-dir DIR]\n"
                            + "       run-local token [--key FILE] [--user NAME] [--roles ROLE,...] [--hours N] [--public-key]");
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

    static final String TOKEN_USAGE = "usage: run-local token [--key FILE] [--user NAME] [--roles ROLE,...] [--hours N] [--public-key]\n"
            + "  Prints a token signed with the key in FILE (default deploy-stage-jwt.pem; made on first use, readable by you only)\n"
            + "  for a longer-lived local setup such as docker-compose, whose services must trust that key's public half:\n"
            + "  --public-key prints that line (DEPLOYSTAGE_JWT_PUBLIC_KEY=...) instead of a token, for .env.\n"
            + "  --roles: ci, operator, approver, senior, team-lead, viewer (default operator); --hours: 1 to 24 (default 1).";

    /** {@code run-local token}: mints a token with a key kept in a file (docker-compose and other local setups). */
    static int token(String[] args) {
        Path key = Path.of("deploy-stage-jwt.pem");
        String user = System.getProperty("user.name", "local-operator");
        String roles = "operator";
        int hours = 1;
        boolean publicKey = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--key" -> key = Path.of(args[++i]);
                    case "--user" -> user = args[++i];
                    case "--roles" -> roles = args[++i];
                    case "--hours" -> hours = Integer.parseInt(args[++i]);
                    case "--public-key" -> publicKey = true;
                    case "-h", "--help" -> {
                        System.out.println(TOKEN_USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException e) {
            System.err.println((e instanceof ArrayIndexOutOfBoundsException ? "an option lacks its value" : e.getMessage()) + "\n" + TOKEN_USAGE);
            return 2;
        }
        java.util.Set<String> known = java.util.Set.of("ci", "operator", "approver", "senior", "team-lead", "viewer");
        List<String> asked = java.util.Arrays.stream(roles.split(",")).map(String::trim).filter(r -> !r.isEmpty()).toList();
        if (asked.isEmpty() || !known.containsAll(asked) || hours < 1 || hours > 24 || !user.matches("[A-Za-z0-9._@-]{1,100}")) {
            System.err.println("roles must be some of " + new java.util.TreeSet<>(known) + ", hours 1 to 24, user 1 to 100 of A-Z a-z 0-9 . _ @ -\n"
                    + TOKEN_USAGE);
            return 2;
        }
        try {
            boolean made = !java.nio.file.Files.exists(key);
            DevTokens tokens = DevTokens.keptIn(key);
            if (made) {
                System.err.println("Made a signing key in " + key.toAbsolutePath() + "; the services must trust it: "
                        + "DEPLOYSTAGE_JWT_PUBLIC_KEY=" + tokens.publicKey() + " (run-local token --public-key >> .env)");
            }
            // on the output only what was asked for: the .env line, or the token
            System.out.println(publicKey ? "DEPLOYSTAGE_JWT_PUBLIC_KEY=" + tokens.publicKey()
                    : tokens.mint(user, Duration.ofHours(hours), asked.toArray(new String[0])));
            return 0;
        } catch (java.io.IOException e) {
            System.err.println("cannot use the key: " + e.getMessage());
            return 1;
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
        say("  kafka " + stack.kafkaBootstrapServers() + " (SASL/SCRAM logins, ACLs of kafka-access.conf), registry " + stack.registryUrl()
                + " (logins only)");

        long owner = ProcessHandle.current().pid();
        say("Installing the sample service " + SampleDescriptor.SERVICE + " and starting version 1.0.0 on its instances…");
        SampleInstall.Installation sample = SampleDescriptor.installWithBaseline(workDir.resolve("sample"), "1.0.0", owner);
        running.add(sample::stopAll);
        sample.ports().forEach((instance, port) -> say(String.format("  %-10s http://127.0.0.1:%d", instance, port)));

        java.util.Map<String, ServiceProcess> services = new java.util.LinkedHashMap<>();
        say("Starting " + String.join(", ", ServiceProcess.SERVICES) + " side by side…");
        for (String name : ServiceProcess.SERVICES) {
            ServiceProcess service = ServiceProcess.of(name, stack, workDir.resolve("logs"), 0);
            if (name.equals("executor-service")) {
                // the plan's bake windows (10 minutes) shortened to 6 s for a local run; inconclusive health still pauses
                service.configure(sample.executorConfig(owner)).configure(Demo.EXECUTOR_SETTINGS);
            }
            if (name.equals("monitor-service")) {
                // a fresh sample instance warms up for 2 s after a deploy before its latency is judged (1 minute by default)
                service.configure(java.util.Map.of("monitor.warm-up", "2s"));
            }
            running.add(service);
            services.put(name, service);
        }
        ServiceProcess.startAll(services.values());
        services.values().forEach(service -> say(String.format("  %-18s up in %5d ms at %s, RSS %d MiB (log: %s)", service.name(),
                service.startMillis(), service.baseUrl(), LocalStack.rssMib(service.pid()), service.log())));

        say("Starting console-service (the operator console)…");
        ServiceProcess console = ServiceProcess.console(stack, workDir.resolve("logs"), 0, services.get("executor-service").baseUrl(),
                services.get("planner-service").baseUrl());
        running.add(console);
        console.start();
        services.put(console.name(), console);
        say(String.format("  %-18s up in %5d ms, RSS %d MiB", console.name(), console.startMillis(), LocalStack.rssMib(console.pid())));
        say("Operator console: " + console.baseUrl() + "/ — sign in with this local token (an hour; operator and approver):");
        say("  " + stack.tokens().mint("local-operator", "operator", "approver"));

        writeCliEnvironment(workDir, stack, services);

        say("Registering the deploy descriptor of the sample service " + SampleDescriptor.SERVICE + " with the planner…");
        SampleDescriptor.register(services.get("planner-service").baseUrl(), stack.tokens(), sample);
        EventClient client = EventClient.forStack(stack);
        running.add(client);
        say("Starting real traffic: " + Demo.PRODUCTION_RATE + " checkouts/s on production (prod-1, prod-2), " + Demo.STAGING_RATE
                + "/s on staging; the metrics agent reports every " + Demo.AGENT_WINDOW.toMillis() + " ms, canary and stable instances apart");
        SampleTraffic traffic = new SampleTraffic(sample, "staging-1", SampleDescriptor.PRODUCTION, client::publish, Demo.AGENT_WINDOW)
                .start(Demo.PRODUCTION_RATE, Demo.STAGING_RATE);
        running.add(traffic);
        Demo demo = new Demo(client, traffic, services.get("planner-service").baseUrl(), services.get("executor-service").baseUrl(), stack.tokens(),
                workDir.resolve("artifacts"), Duration.ofSeconds(6), Launcher::say);
        running.add(demo);

        List<Demo.Result> results = new ArrayList<>();
        results.add(demo.release("1.1.0", Duration.ofMinutes(3)));
        results.add(demo.release("1.2.0", Duration.ofMinutes(3)));

        say("");
        say("== Summary");
        for (Demo.Result r : results) {
            say(String.format("  %-28s %-6s %-8s %-11s in %3d s%s", r.releaseId(), r.version(), r.strategy(), r.outcome(), r.took().toSeconds(),
                    r.reason() == null ? "" : " (" + r.reason() + ")"));
            r.artifacts().forEach(a -> say("      " + a));
        }
        boolean expected = results.get(0).outcome().equals("DEPLOYED") && results.get(1).outcome().equals("ROLLED_BACK");
        say(expected ? "1.1.0 went out by canary and is DEPLOYED; 1.2.0 breached its health checks and was ROLLED BACK automatically."
                : "Unexpected outcomes: 1.1.0 should be DEPLOYED and 1.2.0 ROLLED_BACK; see the service logs in " + workDir.resolve("logs"));
        if (stay) {
            say("Staying up (--stay): press Ctrl-C to stop everything.");
            LocalStack.pause(Long.MAX_VALUE);
        }
        say("Stopping everything.");
        return expected ? 0 : 1;
    }

    /** deploy-stage.env: the CLI's settings for this run (URLs, Kafka with the read-only principal, registry, a local token with every role). */
    private static void writeCliEnvironment(Path workDir, LocalStack stack, java.util.Map<String, ServiceProcess> services) {
        String env = "export DEPLOY_STAGE_GATE_URL=" + services.get("gate-service").baseUrl() + "\n"
                + "export DEPLOY_STAGE_PLANNER_URL=" + services.get("planner-service").baseUrl() + "\n"
                + "export DEPLOY_STAGE_EXECUTOR_URL=" + services.get("executor-service").baseUrl() + "\n"
                + "export DEPLOY_STAGE_CONSOLE_URL=" + services.get("console-service").baseUrl() + "\n"
                + "export DEPLOY_STAGE_KAFKA=" + stack.kafkaBootstrapServers() + "\n"
                + "export DEPLOY_STAGE_KAFKA_USER=watch\n"
                + "export DEPLOY_STAGE_KAFKA_PASSWORD=" + stack.kafkaPassword("watch") + "\n"
                + "export DEPLOY_STAGE_REGISTRY=" + stack.registryUrl() + "\n"
                + "export DEPLOY_STAGE_REGISTRY_USER=" + stack.registryReader().getKey() + "\n"
                + "export DEPLOY_STAGE_REGISTRY_PASSWORD=" + stack.registryReader().getValue() + "\n"
                + "export DEPLOY_STAGE_TOKEN=" + stack.tokens().mint("local-operator", "ci", "operator", "approver", "senior", "team-lead") + "\n";
        try {
            Path file = workDir.resolve("deploy-stage.env");
            // created readable by its owner only, before the token is written into it
            java.nio.file.Files.deleteIfExists(file);
            java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            java.nio.file.Files.writeString(file, env);
            say("CLI settings for this run (a local token with every role): source " + file);
        } catch (java.io.IOException e) {
            say("Could not write the CLI settings: " + e.getMessage());
        }
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
