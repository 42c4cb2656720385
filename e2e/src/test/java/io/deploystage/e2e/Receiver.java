package io.deploystage.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

import io.deploystage.stack.FreePorts;

/** An HTTP endpoint a notifier posts to (a Slack webhook, say): keeps every request it receives and answers 200. */
final class Receiver implements AutoCloseable {

    /** One request received: its path, its Idempotency-Key header (or null) and its body. */
    record Request(String path, String key, String body) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private Receiver(HttpServer server) {
        this.server = server;
    }

    static Receiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 0);
            Receiver receiver = new Receiver(server);
            server.createContext("/", exchange -> {
                receiver.requests.add(new Request(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                        new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL of {@code path} on this receiver. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Every body received so far on {@code path}, in order. */
    List<String> bodies(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).map(Request::body).toList();
    }

    /** Every request received so far, in order. */
    List<Request> requests() {
        return requests;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
