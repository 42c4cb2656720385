package io.deploystage.platform.messaging;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;

/**
 * Apicurio's Avro serializer against a registry that takes each request and never answers (a real socket that reads and
 * writes nothing back, as the registry's lost responses look to the client): with the bounded resolver the send fails
 * within its limit with the reason; with Apicurio's own resolver it is still waiting.
 */
class BoundedSchemaResolverTest {

    static final Schema PROBE = new Schema.Parser().parse("""
            {"type": "record", "name": "Probe", "namespace": "io.deploystage.test", "fields": [{"name": "a", "type": "string"}]}""");

    ServerSocket silent;
    final List<Socket> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void aRegistryThatNeverAnswers() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept());
                } catch (IOException e) {
                    return;
                }
            }
        }, "silent-registry");
        accept.setDaemon(true);
        accept.start();
    }

    @AfterEach
    void close() throws IOException {
        silent.close();
        for (Socket socket : held) {
            socket.close();
        }
    }

    CompletableFuture<byte[]> send(Map<String, Object> resolver) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
                "apicurio.registry.url", "http://127.0.0.1:" + silent.getLocalPort() + "/apis/registry/v3",
                "apicurio.registry.auto-register", true,
                "apicurio.registry.retry-count", 1,
                "apicurio.registry.retry-backoff-ms", 10));
        config.putAll(resolver);
        AvroKafkaSerializer<GenericRecord> serializer = new AvroKafkaSerializer<>();
        serializer.configure(config, false);
        GenericRecord probe = new GenericData.Record(PROBE);
        probe.put("a", "x");
        return CompletableFuture.supplyAsync(() -> serializer.serialize("probes", probe));
    }

    @Test
    void aCallTheRegistryNeverAnswersFailsWithinItsLimit() throws Exception {
        long started = System.nanoTime();
        CompletableFuture<byte[]> bounded = send(Map.of("apicurio.registry.schema-resolver", BoundedSchemaResolver.class.getName(),
                BoundedSchemaResolver.CALL_TIMEOUT, 500));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> bounded.get(20, TimeUnit.SECONDS));
        long millis = (System.nanoTime() - started) / 1_000_000;
        String reasons = String.valueOf(failed.getCause());
        for (Throwable t = failed.getCause(); t != null; t = t.getCause()) {
            reasons += " / " + t.getMessage();
        }
        assertTrue(reasons.contains("the schema registry did not answer") && reasons.contains("within 500 ms"), reasons);
        assertTrue(!held.isEmpty(), "the request reached the silent registry");
        System.out.printf("bounded: failed after %d ms (limit 500 ms, retry-count 1): %s%n", millis, reasons);

        CompletableFuture<byte[]> unbounded = send(Map.of());
        assertThrows(java.util.concurrent.TimeoutException.class, () -> unbounded.get(3, TimeUnit.SECONDS),
                "Apicurio's own resolver waits on (what this class is for)");
        unbounded.cancel(true);
    }

    /** The consumers' side: a record whose schema must be fetched fails as "no answer", which the decoder treats as an outage. */
    @Test
    void aSchemaLookupTheRegistryNeverAnswersFailsAsNoAnswer() {
        io.apicurio.registry.serde.avro.AvroKafkaDeserializer<Object> deserializer = new io.apicurio.registry.serde.avro.AvroKafkaDeserializer<>();
        deserializer.configure(Map.of("apicurio.registry.url", "http://127.0.0.1:" + silent.getLocalPort() + "/apis/registry/v3",
                "apicurio.registry.retry-count", 1, "apicurio.registry.retry-backoff-ms", 10,
                "apicurio.registry.schema-resolver", BoundedSchemaResolver.class.getName(), BoundedSchemaResolver.CALL_TIMEOUT, 500), false);
        byte[] record = {0, 0, 0, 0, 42, 2, 'x'}; // magic byte, schema id 42, a one-character string
        CompletableFuture<Object> lookup = CompletableFuture.supplyAsync(() -> deserializer.deserialize("probes", record));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> lookup.get(20, TimeUnit.SECONDS));
        assertTrue(BoundedSchemaResolver.NoAnswer.in(failed), String.valueOf(failed));
    }
}
