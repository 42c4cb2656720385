package io.deploystage.platform.http;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.deploystage.platform.config.PlatformConfig;
import io.deploystage.platform.domain.UrlPolicy;

/**
 * Applies the service's {@link UrlPolicy} (deploystage.urls.allow and .deny) to a URL before it is called: resolves
 * its host and refuses it with the reason. Blocking (DNS): call it off the event loop, just before the request.
 */
@ApplicationScoped
public class UrlGuard {

    private final UrlPolicy policy;

    @jakarta.inject.Inject
    UrlGuard(PlatformConfig config) {
        this.policy = UrlPolicy.of(config.urls().allow().orElse(List.of()), config.urls().deny());
    }

    public UrlGuard(UrlPolicy policy) {
        this.policy = policy;
    }

    /** Why the URL may not be called, or null when it may. */
    public String refusal(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return "not a URL: " + e.getMessage();
        }
        List<InetAddress> addresses;
        try {
            addresses = uri.getHost() == null ? List.of() : Arrays.asList(InetAddress.getAllByName(host(uri)));
        } catch (UnknownHostException e) {
            addresses = List.of();
        }
        return policy.refusal(uri, addresses);
    }

    private static String host(URI uri) {
        String host = uri.getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
