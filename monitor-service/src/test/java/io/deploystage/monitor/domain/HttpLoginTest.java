package io.deploystage.monitor.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class HttpLoginTest {

    private static final Optional<String> NONE = Optional.empty();

    @Test
    void theLoginAsHeaders() {
        record Case(Optional<String> token, Optional<String> user, Optional<String> password, Map<String, String> extra, Map<String, String> headers) {
        }
        List<Case> cases = List.of(
                new Case(NONE, NONE, NONE, Map.of(), Map.of()),
                new Case(Optional.of(" glc_abc123 "), NONE, NONE, Map.of(), Map.of("Authorization", "Bearer glc_abc123")),
                new Case(NONE, Optional.of("12345"), Optional.of("s3cret:x"), Map.of(), Map.of("Authorization", "Basic MTIzNDU6czNjcmV0Ong=")),
                new Case(NONE, Optional.of("u"), NONE, Map.of(), Map.of("Authorization", "Basic dTo=")),
                new Case(Optional.of(""), Optional.of(""), Optional.of(""), Map.of(), Map.of()),
                new Case(Optional.of("t"), NONE, NONE, Map.of("X-Scope-OrgID", "tenant-1"), Map.of("X-Scope-OrgID", "tenant-1", "Authorization", "Bearer t")));
        for (Case c : cases) {
            assertEquals(c.headers(), HttpLogin.headers(c.token(), c.user(), c.password(), c.extra()), c.toString());
        }
    }

    @Test
    void aConfigurationThatCannotBeRightIsRefusedWithoutTheSecret() {
        record Case(Optional<String> token, Optional<String> user, Optional<String> password, Map<String, String> extra, String why) {
        }
        List<Case> cases = List.of(
                new Case(Optional.of("tok-SECRET"), Optional.of("u"), NONE, Map.of(), "both set"),
                new Case(NONE, NONE, Optional.of("pw-SECRET"), Map.of(), "without a username"),
                new Case(NONE, Optional.of("a:b"), Optional.of("pw-SECRET"), Map.of(), "cannot hold ':'"),
                new Case(Optional.of("tok-SECRET\r\nX-Evil: 1"), NONE, NONE, Map.of(), "holds spaces, line breaks"),
                new Case(NONE, NONE, NONE, Map.of("X-Tenant", "a\r\nX-Evil: 1"), "not a valid HTTP header"),
                new Case(NONE, NONE, NONE, Map.of("Bad Header", "v"), "not a valid HTTP header"),
                new Case(NONE, NONE, NONE, Map.of("authorization", "Bearer x"), "not as a header"));
        for (Case c : cases) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> HttpLogin.headers(c.token(), c.user(), c.password(), c.extra()), c.why());
            assertTrue(refused.getMessage().contains(c.why()), refused.getMessage());
            assertFalse(refused.getMessage().contains("SECRET"), "no secret in the message: " + refused.getMessage());
        }
    }
}
