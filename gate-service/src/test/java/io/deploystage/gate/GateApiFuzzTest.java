package io.deploystage.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.deploystage.stack.LocalStackResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Random, malformed and hostile bodies against the gate's API: only 4xx (or an accepted valid body), never 5xx. The
 * default suite sends 2,000 (every target and mutation is drawn hundreds of times); {@code -Dfuzz.requests=10000
 * -Dfuzz.seed=N} sends more, or another sequence.
 */
@QuarkusTest
@WithTestResource(value = LocalStackResource.class, initArgs = @ResourceArg(name = "database", value = "gate"))
class GateApiFuzzTest {

    static final int REQUESTS = Integer.getInteger("fuzz.requests", 2_000);
    static final long SEED = Long.getLong("fuzz.seed", 20261127L);

    @TestHTTPResource("/")
    URL base;

    static final List<String> SAMPLES = List.of("codeql.sarif", "semgrep.sarif", "trivy.sarif", "surefire-TEST-shop.OrderServiceTest.xml",
            "pytest-junit.xml", "jacoco.xml", "cobertura.xml");
    static final List<String> HOSTILE = List.of("../../etc/passwd", "$(reboot)", "`id`", "'; drop table release;--", "\u0000\u0001",
            "\u202e\u202dRTL", "😀".repeat(50), "a".repeat(20_000), "%00", "${jndi:ldap://127.0.0.1/x}", "<script>alert(1)</script>", "\r\nX-Injected: 1");

    @Test
    void neverAServerError() throws Exception {
        Random random = new Random(SEED);
        String ci = LocalStackResource.stack().tokens().mint("ci-bot", "ci");
        String approver = LocalStackResource.stack().tokens().mint("dana", "approver");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        Semaphore inFlight = new Semaphore(8);
        ConcurrentMap<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        ConcurrentMap<String, String> serverErrors = new ConcurrentHashMap<>();
        ConcurrentMap<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        CompletableFuture<?>[] all = new CompletableFuture<?>[REQUESTS];
        for (int i = 0; i < REQUESTS; i++) {
            String[] target = target(random);
            byte[] body = body(random);
            String token = target[0].endsWith("/waivers") ? approver : ci;
            HttpRequest request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + target[0]))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", target[1])
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            inFlight.acquire();
            int n = i;
            // the server closes a connection after a 413/414; a request racing onto that closing keep-alive connection
            // never reached the server ("received no bytes") and is sent again once on a fresh one
            all[i] = send(http, request, 3)
                    .handle((response, failure) -> {
                        inFlight.release();
                        int status = failure != null ? -1 : response.statusCode();
                        statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                        if (failure != null) {
                            String kind = failure.getCause() == null ? failure.toString() : failure.getCause().toString();
                            failures.computeIfAbsent(kind.length() > 120 ? kind.substring(0, 120) : kind, k -> new AtomicInteger()).incrementAndGet();
                        }
                        if (status >= 500 || status < 0) {
                            serverErrors.putIfAbsent(target[0] + " #" + n, failure != null ? failure.toString()
                                    : status + " " + abbreviate(response.body()));
                        }
                        return null;
                    });
        }
        CompletableFuture.allOf(all).get();
        System.out.println("Fuzz: " + REQUESTS + " requests, statuses " + new TreeMap<>(statuses) + ", client-side failures " + failures);
        serverErrors.entrySet().stream().limit(10).forEach(e -> System.out.println("Fuzz 5xx: " + abbreviate(e.getKey()) + " -> " + e.getValue()));
        assertEquals(Map.of(), serverErrors, "server errors or dropped connections");
        assertTrue(statuses.keySet().stream().allMatch(s -> s == 202 || (s >= 400 && s < 500)), "only 4xx or accepted: " + statuses);
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), "still serving: " + health.body());
    }

    static CompletableFuture<HttpResponse<String>> send(HttpClient http, HttpRequest request, int retries) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .exceptionallyCompose(failure -> retries > 0 && String.valueOf(failure.getCause()).contains("received no bytes")
                        ? send(http, request, retries - 1)
                        : CompletableFuture.failedFuture(failure));
    }

    /** [path, content type] */
    static String[] target(Random random) {
        String id = switch (random.nextInt(4)) {
            case 0 -> "fuzz-" + random.nextInt(50);
            case 1 -> URLEncoder.encode(HOSTILE.get(random.nextInt(HOSTILE.size())), StandardCharsets.UTF_8);
            case 2 -> "x".repeat(1 + random.nextInt(300));
            default -> Integer.toString(random.nextInt());
        };
        return switch (random.nextInt(5)) {
            case 0 -> new String[] {"/releases", "application/json"};
            case 1 -> new String[] {"/releases/" + id + "/gate-results", "application/json"};
            case 2 -> new String[] {"/releases/" + id + "/waivers", "application/json"};
            case 3 -> new String[] {"/releases/" + id + "/reports/" + List.of("sarif", "junit", "jacoco", "cobertura").get(random.nextInt(4)),
                    random.nextBoolean() ? "application/xml" : "application/json"};
            default -> new String[] {"/releases/" + id + "/reports/" + URLEncoder.encode(HOSTILE.get(random.nextInt(HOSTILE.size())),
                    StandardCharsets.UTF_8), "text/plain"};
        };
    }

    static byte[] body(Random random) {
        switch (random.nextInt(10)) {
            case 0 -> {
                byte[] bytes = new byte[random.nextInt(4096)];
                random.nextBytes(bytes);
                return bytes;
            }
            case 1 -> {
                byte[] sample = sample(SAMPLES.get(random.nextInt(SAMPLES.size())));
                for (int flips = 1 + random.nextInt(10); flips > 0; flips--) {
                    sample[random.nextInt(sample.length)] = (byte) random.nextInt(256);
                }
                return sample;
            }
            case 2 -> {
                byte[] sample = sample(SAMPLES.get(random.nextInt(SAMPLES.size())));
                return java.util.Arrays.copyOf(sample, random.nextInt(sample.length));
            }
            case 3 -> {
                return ("{\"stage\": " + random.nextInt() + ", \"verdict\": [], \"releaseId\": {\"a\": null}, \"findings\": \"many\","
                        + " \"coverage\": \"lots\", \"requiredGates\": 7, \"expiresAt\": \"yesterday\"}").getBytes(StandardCharsets.UTF_8);
            }
            case 4 -> {
                String h = HOSTILE.get(random.nextInt(HOSTILE.size())).replace("\\", "\\\\").replace("\"", "\\\"");
                return ("{\"releaseId\": \"" + h + "\", \"service\": \"" + h + "\", \"version\": \"" + h + "\", \"commitSha\": \"" + h
                        + "\", \"artifact\": \"" + h + "\", \"requiredGates\": [\"TEST\"], \"stage\": \"TEST\", \"verdict\": \"PASS\","
                        + " \"findings\": [{\"id\": \"" + h + "\", \"severity\": \"LOW\", \"title\": \"" + h + "\", \"status\": \"OPEN\"}],"
                        + " \"findingId\": \"" + h + "\", \"rationale\": \"" + h + "\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 5 -> {
                int depth = 100 + random.nextInt(20_000);
                return ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8);
            }
            case 6 -> {
                return random.nextInt(50) == 0 ? new byte[9 * 1024 * 1024] : new byte[0];
            }
            case 7 -> {
                return ("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
                        + "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
                        + "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
                        + "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
                        + "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">]>"
                        + "<testsuite><testcase classname=\"a\" name=\"&lol5;\"><failure message=\"&lol5;\"/></testcase></testsuite>")
                        .getBytes(StandardCharsets.UTF_8);
            }
            case 8 -> {
                return ("{\"stage\": \"SECURITY\", \"verdict\": \"PASS\", \"coverage\": " + (random.nextBoolean() ? "150" : "-3")
                        + ", \"findingId\": \"x\", \"rationale\": \"\", \"expiresAt\": \"2001-01-01T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                return new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '"', (byte) 0xc3, '"', ':', '1'};
            }
        }
    }

    static byte[] sample(String name) {
        try (InputStream in = GateApiFuzzTest.class.getResourceAsStream("/reports/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String abbreviate(String text) {
        return text == null ? "" : text.length() <= 300 ? text : text.substring(0, 300);
    }
}
