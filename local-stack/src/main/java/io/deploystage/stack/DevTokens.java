package io.deploystage.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A signing key and RS256 tokens signed with it, for local runs and tests: made fresh for one local stack (nothing
 * written to disk), or kept in a PKCS#8 PEM file for a longer-lived local setup such as docker-compose
 * ({@code ./run-local token}). The services trust only its public key.
 */
public final class DevTokens {

    public static final String ISSUER = "deploy-stage";

    private final KeyPair keys;

    public DevTokens() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keys = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private DevTokens(KeyPair keys) {
        this.keys = keys;
    }

    /**
     * The signing key kept in {@code pem} (PKCS#8, "BEGIN PRIVATE KEY"); made and written there (readable by its owner
     * only) if the file does not exist.
     */
    public static DevTokens keptIn(Path pem) throws IOException {
        if (Files.exists(pem)) {
            String text = Files.readString(pem, StandardCharsets.US_ASCII);
            int begin = text.indexOf(PEM_BEGIN);
            int end = text.indexOf(PEM_END);
            if (begin < 0 || end < begin) {
                throw new IOException(pem + " holds no PKCS#8 private key (" + PEM_BEGIN + ")");
            }
            try {
                byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + PEM_BEGIN.length(), end));
                KeyFactory rsa = KeyFactory.getInstance("RSA");
                RSAPrivateCrtKey key = (RSAPrivateCrtKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(der));
                return new DevTokens(new KeyPair(rsa.generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent())), key));
            } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
                throw new IOException(pem + " holds no RSA private key that can be read: " + e.getMessage(), e);
            }
        }
        DevTokens made = new DevTokens();
        if (pem.toAbsolutePath().getParent() != null) {
            Files.createDirectories(pem.toAbsolutePath().getParent());
        }
        Files.createFile(pem);
        try {
            Files.setPosixFilePermissions(pem, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its default permissions stay
        }
        Files.writeString(pem, PEM_BEGIN + "\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(made.keys.getPrivate().getEncoded()) + "\n" + PEM_END + "\n", StandardCharsets.US_ASCII);
        return made;
    }

    private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PEM_END = "-----END PRIVATE KEY-----";

    /** The verification key as the services take it (base64 of the X.509 encoding). */
    public String publicKey() {
        return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    }

    /** A token for {@code user} with the given roles, valid for an hour. */
    public String mint(String user, String... roles) {
        return mint(user, Duration.ofHours(1), roles);
    }

    /** A token for {@code user} with the given roles, valid for {@code lifetime}. */
    public String mint(String user, Duration lifetime, String... roles) {
        Instant now = Instant.now();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String payload = "{\"iss\":\"" + ISSUER + "\",\"sub\":" + json(user) + ",\"upn\":" + json(user)
                + ",\"groups\":[" + List.of(roles).stream().map(DevTokens::json).collect(Collectors.joining(",")) + "]"
                + ",\"iat\":" + now.getEpochSecond() + ",\"exp\":" + now.plus(lifetime).getEpochSecond()
                + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
        String signingInput = base64Url(header.getBytes(StandardCharsets.UTF_8)) + "." + base64Url(payload.getBytes(StandardCharsets.UTF_8));
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(keys.getPrivate());
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + base64Url(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String json(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
