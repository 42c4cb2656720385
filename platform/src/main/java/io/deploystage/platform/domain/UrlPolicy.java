package io.deploystage.platform.domain;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Which URLs Deploy Stage may call (smoke checks, version checks, scrapes, Prometheus, notification destinations):
 * http or https only, and no address of the host in a denied range (by default link-local and the cloud metadata
 * addresses, where a URL from a descriptor could read instance credentials); when allowed ranges are given, every
 * address must be in one. Pure: the caller resolves the host and passes its addresses.
 */
public record UrlPolicy(List<Cidr> allow, List<Cidr> deny) {

    /** Link-local IPv4 (169.254.169.254: AWS, GCP, Azure metadata), AWS's IPv6 metadata, link-local IPv6, Alibaba's metadata. */
    public static final List<String> DEFAULT_DENY = List.of("169.254.0.0/16", "fd00:ec2::254/128", "fe80::/10", "100.100.100.200/32");

    public UrlPolicy {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    public static UrlPolicy of(List<String> allow, List<String> deny) {
        return new UrlPolicy(allow.stream().map(Cidr::parse).toList(), deny.stream().map(Cidr::parse).toList());
    }

    /** Why the URL may not be called, or null when it may; {@code addresses} are what its host resolves to. */
    public String refusal(URI uri, List<InetAddress> addresses) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return uri + ": only http and https URLs are called";
        }
        if (uri.getHost() == null || addresses.isEmpty()) {
            return uri + ": no host address";
        }
        for (InetAddress address : addresses) {
            for (Cidr denied : deny) {
                if (denied.contains(address)) {
                    return uri + ": " + address.getHostAddress() + " is in the denied range " + denied + " (deploystage.urls.deny)";
                }
            }
            if (!allow.isEmpty() && allow.stream().noneMatch(a -> a.contains(address))) {
                return uri + ": " + address.getHostAddress() + " is outside the allowed ranges " + allow + " (deploystage.urls.allow)";
            }
        }
        return null;
    }

    /** An address range: 10.0.0.0/8, fd00:ec2::254/128, or one address. */
    public record Cidr(byte[] network, int prefix, String text) {

        public static Cidr parse(String text) {
            String[] parts = text.trim().split("/", 2);
            byte[] network;
            try {
                // a literal address only: never a name to resolve
                if (!parts[0].matches("[0-9A-Fa-f:.]+")) {
                    throw new UnknownHostException(parts[0]);
                }
                network = InetAddress.getByName(parts[0]).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an address range: " + text);
            }
            int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : network.length * 8;
            if (prefix < 0 || prefix > network.length * 8) {
                throw new IllegalArgumentException("not an address range: " + text);
            }
            return new Cidr(network, prefix, text.trim());
        }

        public boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (bytes[full] & mask) == (network[full] & mask);
        }

        @Override
        public String toString() {
            return text;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.text.equals(text);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }
    }
}
