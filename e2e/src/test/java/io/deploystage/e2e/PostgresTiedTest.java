package io.deploystage.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.deploystage.stack.Await;
import io.deploystage.stack.Postgres;

/**
 * Embedded PostgreSQL dies with the JVM that started it, like Kafka and the registry: a JVM holding one is killed with
 * kill -9 (no shutdown hook runs), and its postmaster stops and its throw-away data is deleted within seconds.
 */
class PostgresTiedTest {

    /** The JVM under test: starts embedded PostgreSQL, says its port, and waits to be killed. */
    public static void main(String[] args) throws Exception {
        Postgres pg = Postgres.start(null, 0);
        System.out.println("port " + pg.port());
        new java.util.concurrent.CountDownLatch(1).await(); // until killed: nothing counts it down
    }

    @Test
    void aKilledJvmLeavesNoPostgresBehind() throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process holder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp", classpath,
                PostgresTiedTest.class.getName()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        String port = null;
        for (String line = out.readLine(); line != null && port == null; line = line.startsWith("port ") ? line : out.readLine()) {
            if (line.startsWith("port ")) {
                port = line.substring(5).trim();
            }
        }
        assertTrue(port != null, "the holder JVM started PostgreSQL");
        String p = port;
        ProcessHandle postmaster = ProcessHandle.allProcesses().filter(h -> h.info().command().orElse("").endsWith("/postgres")
                && List.of(h.info().arguments().orElse(new String[0])).contains(p)).findFirst().orElseThrow();
        List<String> args = List.of(postmaster.info().arguments().orElse(new String[0]));
        Path data = Path.of(args.get(args.indexOf("-D") + 1));
        assertTrue(Files.isDirectory(data));

        holder.destroyForcibly(); // kill -9
        holder.waitFor();
        Await.until(Duration.ofSeconds(20), "the postmaster gone", () -> !postmaster.isAlive());
        Await.until(Duration.ofSeconds(10), "its throw-away data deleted", () -> !Files.exists(data));
        assertFalse(postmaster.isAlive());
    }
}
