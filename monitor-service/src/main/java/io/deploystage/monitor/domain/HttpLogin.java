package io.deploystage.monitor.domain;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The headers a request to a metrics API carries for its login: a bearer token or HTTP basic, and any extra headers. */
public final class HttpLogin {

    private HttpLogin() {
    }

    /**
     * The headers, in order: the extra ones, then Authorization. A token and a user together, a password without a user,
     * or a header value with a line break is a configuration error, refused with what is wrong (never the secret).
     */
    public static Map<String, String> headers(Optional<String> bearerToken, Optional<String> username, Optional<String> password,
            Map<String, String> extra) {
        Optional<String> token = bearerToken.filter(t -> !t.isBlank());
        if (token.filter(t -> t.strip().chars().anyMatch(c -> c < 0x21 || c > 0x7e)).isPresent()) {
            throw new IllegalArgumentException("the bearer token holds spaces, line breaks or other characters a token cannot");
        }
        Optional<String> user = username.filter(u -> !u.isBlank());
        if (token.isPresent() && user.isPresent()) {
            throw new IllegalArgumentException("a bearer token and a username are both set: give one way to log in");
        }
        if (user.isEmpty() && password.filter(p -> !p.isEmpty()).isPresent()) {
            throw new IllegalArgumentException("a password is set without a username");
        }
        if (user.filter(u -> u.contains(":")).isPresent()) {
            throw new IllegalArgumentException("a username for HTTP basic cannot hold ':'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        extra.forEach((name, value) -> {
            if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+") || value.contains("\r") || value.contains("\n")) {
                throw new IllegalArgumentException("header '" + name.replaceAll("[^\\x20-\\x7e]", "?") + "' is not a valid HTTP header");
            }
            if (name.equalsIgnoreCase("Authorization")) {
                throw new IllegalArgumentException("set the login with bearer-token or username/password, not as a header");
            }
            headers.put(name, value);
        });
        token.ifPresent(t -> headers.put("Authorization", "Bearer " + t.strip()));
        user.ifPresent(u -> headers.put("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((u + ":" + password.orElse("")).getBytes(StandardCharsets.UTF_8))));
        return headers;
    }
}
