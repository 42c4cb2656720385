package io.deploystage.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key kept in a file for {@code run-local token}, and the tokens signed with it. */
class DevTokensTest {

    @TempDir
    Path dir;

    @Test
    void aKeyIsMadeOnceReadableByItsOwnerOnlyAndTheSameKeySignsAfterwards() throws Exception {
        Path pem = dir.resolve("keys").resolve("jwt.pem");
        DevTokens made = DevTokens.keptIn(pem);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pem)));
        assertTrue(Files.readString(pem).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        DevTokens read = DevTokens.keptIn(pem);
        assertEquals(made.publicKey(), read.publicKey(), "read back, the file gives the same key");
        assertNotEquals(made.publicKey(), new DevTokens().publicKey());

        String token = read.mint("olga", java.time.Duration.ofHours(3), "operator", "approver");
        String[] parts = token.split("\\.");
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initVerify(publicKey(made.publicKey()));
        rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rs256.verify(Base64.getUrlDecoder().decode(parts[2])), "signed with the kept key");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertTrue(claims.contains("\"iss\":\"deploy-stage\""), claims);
        assertTrue(claims.contains("\"upn\":\"olga\""), claims);
        assertTrue(claims.contains("\"groups\":[\"operator\",\"approver\"]"), claims);
        assertEquals(3 * 3600, claim(claims, "exp") - claim(claims, "iat"));
    }

    @Test
    void aFileThatHoldsNoKeyIsRefusedWithTheReason() throws Exception {
        Path pem = Files.writeString(dir.resolve("not-a-key.pem"), "hello");
        java.io.IOException refused = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> DevTokens.keptIn(pem));
        assertTrue(refused.getMessage().contains("holds no PKCS#8 private key"), refused.getMessage());
    }

    @Test
    void theTokenCommandPrintsOnlyTheTokenOnItsOutputAndRefusesUnknownRoles() throws Exception {
        Path pem = dir.resolve("jwt.pem");
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
            assertEquals(0, Launcher.token(new String[] {"--key", pem.toString(), "--user", "olga", "--roles", "operator,team-lead"}));
            assertEquals(2, Launcher.token(new String[] {"--key", pem.toString(), "--roles", "root"}));
            assertEquals(2, Launcher.token(new String[] {"--key", pem.toString(), "--hours", "100"}));
            String token = printed.toString(StandardCharsets.UTF_8).trim();
            printed.reset();
            assertEquals(0, Launcher.token(new String[] {"--key", pem.toString(), "--public-key"}));
            assertEquals("DEPLOYSTAGE_JWT_PUBLIC_KEY=" + DevTokens.keptIn(pem).publicKey(), printed.toString(StandardCharsets.UTF_8).trim(),
                    "--public-key prints the .env line and nothing else");
            printed.reset();
            printed.write(token.getBytes(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String token = printed.toString(StandardCharsets.UTF_8).trim();
        assertTrue(token.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), "one token and nothing else: " + token);
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("DEPLOYSTAGE_JWT_PUBLIC_KEY=" + DevTokens.keptIn(pem).publicKey()),
                "the first use says which key the services must trust");
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("roles must be some of"));
    }

    private static long claim(String claims, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\":(\\d+)").matcher(claims);
        assertTrue(m.find(), name + " in " + claims);
        return Long.parseLong(m.group(1));
    }

    private static PublicKey publicKey(String base64) throws Exception {
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }
}
