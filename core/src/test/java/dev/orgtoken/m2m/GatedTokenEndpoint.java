package dev.orgtoken.m2m;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A relay on loopback in front of a real token endpoint that can hold requests until released, so
 * a test can stop a token refresh mid-flight and act while it is in flight: races reproduced by
 * construction, not by timing.
 */
final class GatedTokenEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final URI target;
    private final HttpClient client = HttpClient.newHttpClient();
    private final Semaphore arrivals = new Semaphore(0);
    private volatile CountDownLatch gate = new CountDownLatch(0);

    GatedTokenEndpoint(URI target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::relay);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "gated-token-endpoint");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/oidc/token");
    }

    /** Holds every request that arrives from now on, until {@link #release()}. */
    void hold() {
        arrivals.drainPermits();
        gate = new CountDownLatch(1);
    }

    void release() {
        gate.countDown();
    }

    /** Waits until {@code n} requests have arrived since {@link #hold()}. */
    boolean awaitHeld(int n) throws InterruptedException {
        return arrivals.tryAcquire(n, 10, TimeUnit.SECONDS);
    }

    private void relay(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            arrivals.release();
            if (!gate.await(20, TimeUnit.SECONDS)) {
                ex.sendResponseHeaders(504, -1);
                return;
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(target)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            for (String name : new String[] {"Authorization", "Content-Type", "Accept"}) {
                String value = ex.getRequestHeaders().getFirst(name);
                if (value != null) {
                    forward.header(name, value);
                }
            }
            HttpResponse<byte[]> answer = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            answer.headers().firstValue("Content-Type").ifPresent(t -> ex.getResponseHeaders().set("Content-Type", t));
            ex.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(answer.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
