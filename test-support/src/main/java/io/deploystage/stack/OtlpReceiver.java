package io.deploystage.stack;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A trace collector for tests: the OTLP/HTTP endpoint ({@code http/protobuf}) the services export their spans to, keeping
 * every span it receives with the service that sent it. It reads the protobuf wire format of
 * {@code ExportTraceServiceRequest} itself (the few fields a test asserts on), so it needs no generated classes.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** A received span: the exporting service (resource attribute service.name), ids in hex, name and string attributes. */
    public record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name, Map<String, String> attributes) {
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    public static OtlpReceiver start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        OtlpReceiver receiver = new OtlpReceiver(server);
        server.createContext("/", receiver::receive);
        server.start();
        return receiver;
    }

    /** The base URL to give as {@code quarkus.otel.exporter.otlp.traces.endpoint} with protocol {@code http/protobuf}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            try {
                spans.addAll(parse(body));
            } catch (RuntimeException e) {
                System.err.println("OTLP receiver: cannot read an export request of " + body.length + " bytes: " + e);
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
        }
    }

    /** The spans of one ExportTraceServiceRequest. */
    static List<ReceivedSpan> parse(byte[] request) {
        List<ReceivedSpan> out = new ArrayList<>();
        Wire top = new Wire(request);
        while (top.more()) {
            int field = top.tag();
            if (field != 1) {
                top.skip();
                continue;
            }
            // ResourceSpans: 1 resource, 2 scope_spans
            Wire resourceSpans = top.message();
            String service = null;
            List<Wire> scopes = new ArrayList<>();
            while (resourceSpans.more()) {
                int f = resourceSpans.tag();
                if (f == 1) {
                    Map<String, String> resource = attributes(resourceSpans.message(), 1);
                    service = resource.get("service.name");
                } else if (f == 2) {
                    scopes.add(resourceSpans.message());
                } else {
                    resourceSpans.skip();
                }
            }
            for (Wire scope : scopes) {
                while (scope.more()) {
                    if (scope.tag() == 2) {
                        out.add(span(service, scope.message()));
                    } else {
                        scope.skip();
                    }
                }
            }
        }
        return out;
    }

    /** Span: 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 9 attributes. */
    private static ReceivedSpan span(String service, Wire span) {
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        Map<String, String> attributes = new LinkedHashMap<>();
        while (span.more()) {
            switch (span.tag()) {
                case 1 -> traceId = HexFormat.of().formatHex(span.bytes());
                case 2 -> spanId = HexFormat.of().formatHex(span.bytes());
                case 4 -> parent = HexFormat.of().formatHex(span.bytes());
                case 5 -> name = span.string();
                case 9 -> {
                    Map.Entry<String, String> kv = keyValue(span.message());
                    attributes.put(kv.getKey(), kv.getValue());
                }
                default -> span.skip();
            }
        }
        return new ReceivedSpan(service, traceId, spanId, parent, name, attributes);
    }

    /** The string attributes (repeated KeyValue in {@code field}) of a message. */
    private static Map<String, String> attributes(Wire message, int field) {
        Map<String, String> attributes = new LinkedHashMap<>();
        while (message.more()) {
            if (message.tag() == field) {
                Map.Entry<String, String> kv = keyValue(message.message());
                attributes.put(kv.getKey(), kv.getValue());
            } else {
                message.skip();
            }
        }
        return attributes;
    }

    /** KeyValue: 1 key, 2 value (AnyValue: 1 string, 2 bool, 3 int; others as their wire text). */
    private static Map.Entry<String, String> keyValue(Wire kv) {
        String key = "";
        String value = "";
        while (kv.more()) {
            int f = kv.tag();
            if (f == 1) {
                key = kv.string();
            } else if (f == 2) {
                Wire any = kv.message();
                while (any.more()) {
                    switch (any.tag()) {
                        case 1 -> value = any.string();
                        case 2 -> value = Boolean.toString(any.varint() != 0);
                        case 3 -> value = Long.toString(any.varint());
                        default -> any.skip();
                    }
                }
            } else {
                kv.skip();
            }
        }
        return Map.entry(key, value);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** The protobuf wire format, as far as reading the fields above takes. */
    private static final class Wire {
        private final ByteBuffer buffer;
        private int wireType;

        Wire(byte[] bytes) {
            this(ByteBuffer.wrap(bytes));
        }

        private Wire(ByteBuffer buffer) {
            this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
        }

        boolean more() {
            return buffer.hasRemaining();
        }

        int tag() {
            long key = varint();
            wireType = (int) (key & 7);
            return (int) (key >>> 3);
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buffer.get();
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("malformed varint");
        }

        byte[] bytes() {
            if (wireType != 2) {
                throw new IllegalArgumentException("expected a length-delimited field, got wire type " + wireType);
            }
            byte[] bytes = new byte[(int) varint()];
            buffer.get(bytes);
            return bytes;
        }

        String string() {
            return new String(bytes(), java.nio.charset.StandardCharsets.UTF_8);
        }

        Wire message() {
            return new Wire(bytes());
        }

        void skip() {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> buffer.position(buffer.position() + 8);
                case 2 -> bytes();
                case 5 -> buffer.position(buffer.position() + 4);
                default -> throw new IllegalArgumentException("unsupported wire type " + wireType);
            }
        }
    }
}
