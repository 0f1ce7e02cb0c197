package dev.orgtoken.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The issuer's HTTP server: the JDK's {@link HttpServer} bound to 127.0.0.1 only, served by a cached pool
 * of daemon threads (so one hanging response does not hold up others), handing every request to one
 * {@link Routes} and always closing the exchange.
 */
final class LoopbackServer implements AutoCloseable {

    /** Answers one request, given its raw path. */
    @FunctionalInterface
    interface Routes {
        void route(HttpExchange ex, String rawPath) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI endpoint;
    private final AtomicBoolean closed = new AtomicBoolean();

    LoopbackServer(int port, Routes routes) {
        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "logto-test-issuer-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
            this.server = HttpServer.create(new InetSocketAddress(loopback, port), 0);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot bind 127.0.0.1:" + port, e);
        }
        server.createContext("/", ex -> serve(ex, routes));
        server.setExecutor(executor);
        this.endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    URI endpoint() {
        return endpoint;
    }

    void start() {
        server.start();
    }

    /** Stops at once ({@code stop(0)}) and interrupts requests still being served. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static void serve(HttpExchange ex, Routes routes) {
        try {
            routes.route(ex, ex.getRequestURI().getRawPath());
        } catch (IOException e) {
            // The client went away, or the issuer is closing: nothing more to send.
        } catch (RuntimeException e) {
            // A bug in the testkit: answer 500 (if nothing was sent yet) rather than drop the connection.
            try {
                Http.send(ex, 500, "text/plain; charset=utf-8",
                        ("testkit error: " + e).getBytes(StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException ignored) {
                // headers were already sent
            }
        } finally {
            ex.close();
        }
    }
}
