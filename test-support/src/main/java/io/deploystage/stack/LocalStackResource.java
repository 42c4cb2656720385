package io.deploystage.stack;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives a {@code @QuarkusTest} the real stack: one broker, PostgreSQL and registry per test JVM, shared by all
 * test classes of the module, with the service's own database (init arg {@code database}). A test class with its own
 * {@code @TestProfile} restarts Quarkus in a new class loader, where this stack is not visible: run such a class in a
 * surefire execution of its own (see gate-service's pom), or the second stack clears the first one's Kafka data.
 */
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {

    private static LocalStack stack;
    private String database = "deploystage";

    /** The stack of this test JVM, started on first use and stopped when the JVM exits. */
    public static synchronized LocalStack stack() {
        if (stack == null) {
            Path workDir = Path.of("target", "local-stack").toAbsolutePath();
            stack = LocalStack.start(workDir, LocalStack.Options.forTests(), List.of());
            LocalStack started = stack;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "local-stack-shutdown"));
        }
        return stack;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        return stack().serviceConfig(database);
    }

    @Override
    public void stop() {
        // shared by the test classes of this JVM; stopped by the shutdown hook
    }
}
