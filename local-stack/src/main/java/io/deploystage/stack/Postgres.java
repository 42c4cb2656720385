package io.deploystage.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server: the embedded binaries (pinned to 17) by default, or an external server named by
 * {@code DEPLOYSTAGE_POSTGRES=postgresql://user:password@host:port}. Each service gets a database of its own.
 */
public final class Postgres implements AutoCloseable {

    public static final String OVERRIDE = "DEPLOYSTAGE_POSTGRES";
    private static final Logger LOG = Logger.getLogger(Postgres.class.getName());

    private final EmbeddedPostgres embedded;
    private final String host;
    private final int port;
    private final String user;
    private final String password;

    private Postgres(EmbeddedPostgres embedded, String host, int port, String user, String password) {
        this.embedded = embedded;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /** Starts the embedded server, keeping its data in {@code dataDir} when given (null: a throw-away folder). */
    public static Postgres start(Path dataDir, int port) {
        String external = System.getenv(OVERRIDE);
        if (external != null && !external.isBlank()) {
            URI uri = URI.create(external);
            String[] credentials = uri.getUserInfo() == null ? new String[] {"postgres", "postgres"} : uri.getUserInfo().split(":", 2);
            return new Postgres(null, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), credentials[0],
                    credentials.length > 1 ? credentials[1] : "");
        }
        preflight();
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", dataDir == null ? "off" : "on");
            if (dataDir != null) {
                builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            if (port > 0) {
                builder.setPort(port);
            }
            EmbeddedPostgres pg = builder.start();
            tieToThisJvm(pg.getPort(), dataDir == null);
            return new Postgres(pg, "localhost", pg.getPort(), "postgres", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded PostgreSQL did not start: " + e.getMessage(), e);
        }
    }

    /**
     * The embedded server runs daemonized (its parent is init), so it would outlive a JVM killed with kill -9: it is tied
     * to this JVM like Kafka and the registry, stopped (fast shutdown) when the JVM is gone, and its throw-away data
     * deleted then.
     */
    private static void tieToThisJvm(int port, boolean throwAway) {
        ProcessHandle.allProcesses().filter(p -> {
            List<String> args = p.info().arguments().map(List::of).orElse(List.of());
            return p.info().command().orElse("").endsWith("/postgres") && args.contains("-p") && args.indexOf("-p") + 1 < args.size()
                    && args.get(args.indexOf("-p") + 1).equals(Integer.toString(port));
        }).findFirst().ifPresentOrElse(postmaster -> {
            List<String> args = List.of(postmaster.info().arguments().orElse(new String[0]));
            int d = args.indexOf("-D");
            Path data = throwAway && d >= 0 && d + 1 < args.size() ? Path.of(args.get(d + 1)) : null;
            TiedProcess.tie(postmaster.pid(), "INT", data);
        }, () -> LOG.warning("Embedded PostgreSQL on port " + port + ": its postmaster was not found; it is not tied to this JVM"));
    }

    /** As root the embedded binaries run in a user namespace; say plainly what to do where that is refused. */
    private static void preflight() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return;
        }
        try {
            Process probe = new ProcessBuilder("unshare", "-U", "true").redirectErrorStream(true).start();
            if (!probe.waitFor(10, TimeUnit.SECONDS) || probe.exitValue() != 0) {
                throw refused();
            }
        } catch (IOException e) {
            throw refused();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw refused();
        }
    }

    private static IllegalStateException refused() {
        return new IllegalStateException("Embedded PostgreSQL cannot run here: as root it needs a user namespace and "
                + "'unshare -U true' is refused. Run as a non-root user, allow user namespaces, or point "
                + OVERRIDE + " at a PostgreSQL server (postgresql://user:password@host:port).");
    }

    /** Creates the database if it does not exist yet. */
    public void ensureDatabase(String name) {
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("Not a database name: " + name);
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), user, password);
                var exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, name);
            if (!exists.executeQuery().next()) {
                try (var create = connection.createStatement()) {
                    create.execute("create database " + name);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
