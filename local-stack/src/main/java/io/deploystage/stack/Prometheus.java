package io.deploystage.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Prometheus server (Debian's {@code prometheus} package, or the binary named by DEPLOYSTAGE_PROMETHEUS),
 * started on a free port with its own data directory and a scrape job for the given targets. It dies with this JVM.
 */
public final class Prometheus implements AutoCloseable {

    /** A login and the CA file that trusts the server's certificate, for a server started with {@link #startSecured}. */
    public record Access(String username, String password, Path caFile) {
    }

    private final Process process;
    private final int port;
    private final Access access;

    private Prometheus(Process process, int port, Access access) {
        this.process = process;
        this.port = port;
        this.access = access;
    }

    /** The binary: DEPLOYSTAGE_PROMETHEUS, else /usr/bin/prometheus, else prometheus on the PATH. */
    public static String binary() {
        String configured = System.getenv("DEPLOYSTAGE_PROMETHEUS");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        return Files.isExecutable(Path.of("/usr/bin/prometheus")) ? "/usr/bin/prometheus" : "prometheus";
    }

    /** Starts Prometheus scraping {@code targets} (host:port, path /metrics) every {@code scrapeInterval}; waits until it is ready. */
    public static Prometheus start(Path workDir, List<String> targets, Duration scrapeInterval) {
        return start(workDir, targets, scrapeInterval, false);
    }

    /**
     * As {@link #start}, but as hosted services are: its API only over TLS (a certificate made here for 127.0.0.1, trusted
     * through {@link Access#caFile()}) and only with a login (HTTP basic, a random password; Prometheus's web config).
     */
    public static Prometheus startSecured(Path workDir, List<String> targets, Duration scrapeInterval) {
        return start(workDir, targets, scrapeInterval, true);
    }

    private static Prometheus start(Path workDir, List<String> targets, Duration scrapeInterval, boolean secured) {
        try {
            Files.createDirectories(workDir.resolve("data"));
            int port = FreePorts.next();
            String seconds = Math.max(1, scrapeInterval.toSeconds()) + "s";
            Path config = workDir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: %s
                      evaluation_interval: %s
                    scrape_configs:
                      - job_name: instances
                        static_configs:
                          - targets: [%s]
                    """.formatted(seconds, seconds, String.join(", ", targets.stream().map(t -> "'" + t + "'").toList())));
            Path log = workDir.resolve("prometheus.log");
            long started = System.nanoTime();
            List<String> command = new java.util.ArrayList<>(List.of(binary(), "--config.file=" + config, "--storage.tsdb.path=" + workDir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.retention.time=1h"));
            Access access = secured ? secure(workDir) : null;
            if (secured) {
                command.add("--web.config.file=" + workDir.resolve("web.yml"));
            }
            Process process = TiedProcess.start(command, workDir, log);
            Prometheus prometheus = new Prometheus(process, port, access);
            java.net.http.HttpRequest.Builder ready = java.net.http.HttpRequest.newBuilder(java.net.URI.create(prometheus.url() + "/-/ready"));
            if (secured) {
                ready.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        (access.username() + ":" + access.password()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            TiedProcess.awaitHttpOk(process, prometheus.client(), ready, Duration.ofSeconds(60), "Prometheus", log);
            System.out.printf("[stack] Prometheus ready on %d in %d ms%n", port, (System.nanoTime() - started) / 1_000_000);
            return prometheus;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare Prometheus in " + workDir, e);
        }
    }

    public String url() {
        return (access == null ? "http://" : "https://") + "127.0.0.1:" + port;
    }

    /** The login and CA of a secured server; null for a plain one. */
    public Access access() {
        return access;
    }

    /** An HTTP client that trusts this server's certificate (any client for a plain one). */
    public java.net.http.HttpClient client() {
        java.net.http.HttpClient.Builder builder = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (access != null) {
            try (var in = Files.newInputStream(access.caFile())) {
                java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
                trusted.load(null, null);
                trusted.setCertificateEntry("prometheus", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
                javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                trust.init(trusted);
                javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
                tls.init(null, trust.getTrustManagers(), null);
                builder.sslContext(tls);
            } catch (IOException | java.security.GeneralSecurityException e) {
                throw new IllegalStateException("Cannot trust " + access.caFile() + ": " + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    /**
     * Writes web.yml: TLS with a fresh self-signed certificate for 127.0.0.1 (keytool; its PEM is the CA file) and one
     * user with a random password (bcrypt, cost 4: these servers live for a test run).
     */
    private static Access secure(Path workDir) throws IOException {
        Path keystore = workDir.resolve("tls.p12");
        Files.deleteIfExists(keystore);
        String storePassword = KafkaAccess.randomSecret();
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        try {
            Process made = new ProcessBuilder(keytool, "-genkeypair", "-alias", "prometheus", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3",
                    "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                    "-storepass", storePassword, "-keypass", storePassword).redirectErrorStream(true).start();
            String output = new String(made.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (made.waitFor() != 0) {
                throw new IllegalStateException("keytool could not make Prometheus's certificate: " + output);
            }
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(keystore)) {
                store.load(in, storePassword.toCharArray());
            }
            java.util.Base64.Encoder pem = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Path certificate = workDir.resolve("tls.crt");
            Files.writeString(certificate, "-----BEGIN CERTIFICATE-----\n" + pem.encodeToString(store.getCertificate("prometheus").getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            Path key = workDir.resolve("tls.key");
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + pem.encodeToString(store.getKey("prometheus", storePassword.toCharArray()).getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            String password = KafkaAccess.randomSecret();
            byte[] salt = new byte[16];
            new java.security.SecureRandom().nextBytes(salt);
            String hash = org.bouncycastle.crypto.generators.OpenBSDBCrypt.generate(password.toCharArray(), salt, 4);
            Files.writeString(workDir.resolve("web.yml"), """
                    tls_server_config:
                      cert_file: %s
                      key_file: %s
                    basic_auth_users:
                      monitor: '%s'
                    """.formatted(certificate, key, hash));
            return new Access("monitor", password, certificate);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot make Prometheus's certificate: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        LocalStack.stop(process);
    }
}
