package io.deploystage.platform.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrlPolicyTest {

    static final UrlPolicy DEFAULT = UrlPolicy.of(List.of(), UrlPolicy.DEFAULT_DENY);

    @ParameterizedTest(name = "{0} at {1}: {2}")
    @CsvSource({
            "http://checkout.prod.internal/health, 10.1.2.3, ",
            "https://hooks.slack.com/services/x, 34.1.2.3, ",
            "http://127.0.0.1:8080/health, 127.0.0.1, ",
            "http://169.254.169.254/latest/meta-data/, 169.254.169.254, in the denied range 169.254.0.0/16",
            "http://metadata.google.internal/, 169.254.169.254, in the denied range 169.254.0.0/16",
            "http://[fd00:ec2::254]/latest/, fd00:ec2::254, in the denied range fd00:ec2::254/128",
            "http://[::ffff:169.254.169.254]/, ::ffff:169.254.169.254, in the denied range 169.254.0.0/16",
            "http://[fe80::1]/, fe80::1, in the denied range fe80::/10",
            "http://100.100.100.200/latest/, 100.100.100.200, in the denied range 100.100.100.200/32",
            "file:///etc/passwd, 127.0.0.1, only http and https",
            "gopher://127.0.0.1:6379/, 127.0.0.1, only http and https"})
    void byDefaultLinkLocalAndMetadataAddressesAreDenied(String url, String address, String refusal) throws Exception {
        String why = DEFAULT.refusal(URI.create(url), List.of(InetAddress.getByName(address)));
        if (refusal == null) {
            assertNull(why);
        } else {
            assertTrue(why != null && why.contains(refusal), why);
        }
    }

    @Test
    void anAllowListAdmitsOnlyItsRangesAndEveryAddressOfAHostCounts() throws Exception {
        UrlPolicy internal = UrlPolicy.of(List.of("10.0.0.0/8", "127.0.0.1"), UrlPolicy.DEFAULT_DENY);
        assertNull(internal.refusal(URI.create("http://a/"), List.of(InetAddress.getByName("10.9.8.7"))));
        assertTrue(internal.refusal(URI.create("http://a/"), List.of(InetAddress.getByName("10.9.8.7"), InetAddress.getByName("8.8.8.8")))
                .contains("8.8.8.8 is outside the allowed ranges"));
        assertTrue(internal.refusal(URI.create("http://a/"), List.of()).contains("no host address"));
    }

    @Test
    void rangesAreLiteralAddresses() {
        assertThrows(IllegalArgumentException.class, () -> UrlPolicy.Cidr.parse("example.com/8"));
        assertThrows(IllegalArgumentException.class, () -> UrlPolicy.Cidr.parse("10.0.0.0/33"));
        assertEquals("10.0.0.0/8", UrlPolicy.Cidr.parse(" 10.0.0.0/8 ").toString());
    }
}
