package dev.orgtoken.m2m;

import dev.orgtoken.testkit.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The retry-once decorator against the testkit's Management API over real HTTP: a token whose key
 * Logto withdrew is refused with 401, dropped, and the call succeeds on its first try from the
 * caller's point of view.
 */
class BearerRequestSenderTest {
    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    private final TestClock clock = new TestClock(NOW);
    private final HttpClient http = HttpClient.newHttpClient();
    private LogtoTestIssuer issuer;
    private ClientCredentialsTokenSource tokens;
    private BearerRequestSender sender;

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.builder().clock(clock).build();
        issuer.registerClient("server-app", "server-secret").grant(issuer.managementApiResource(), "all");
        tokens = managementTokens(issuer.managementApiResource());
        sender = new BearerRequestSender(http, tokens);
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    private ClientCredentialsTokenSource managementTokens(String resource) {
        return ClientCredentialsTokenSource.builder().logtoEndpoint(issuer.endpoint().toString())
                .clientId("server-app").clientSecret("server-secret").resource(resource).scopes("all")
                .clock(clock).build();
    }

    private HttpRequest createOrganization(String name) {
        return HttpRequest.newBuilder(issuer.endpoint().resolve("/api/organizations?trace=1"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}"))
                .build();
    }

    @Test
    void aTokenWhoseKeyWasWithdrawnIsReplacedAndTheCallSucceeds() throws Exception {
        assertEquals(201, sender.send(createOrganization("before"), HttpResponse.BodyHandlers.ofString()).statusCode());
        String signedBy = issuer.currentKey().kid();
        issuer.rotateNow();
        issuer.removeKey(signedBy);   // Logto deletes the key that signed the cached token
        issuer.resetCounters();

        String logs = capturedStandardError(() -> {
            HttpResponse<String> created = sender.send(createOrganization("after"), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());
        });
        assertEquals(2, issuer.managementRequests(), "the refused call and its one retry");
        assertEquals(1, issuer.tokenRequests(), "one fresh token");
        assertEquals(List.of("before", "after"), List.copyOf(issuer.organizations().values()));
        assertTrue(logs.contains("POST http://127.0.0.1:" + issuer.endpoint().getPort()
                + "/api/organizations answered 401"), logs);
        assertFalse(logs.contains("trace=1"), "no query in the log: " + logs);
        assertFalse(logs.contains(tokens.token().value()), "no token in the log");

        // The fresh token is cached: the next call needs no token request.
        assertEquals(201, sender.send(createOrganization("later"), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(1, issuer.tokenRequests());
    }

    @Test
    void aSecond401IsReturnedAfterExactlyOneRetry() throws Exception {
        // Tokens for another resource: the Management API refuses every one of them.
        issuer.registerClient("other-app", "other-secret").grant("https://api.example.com/other", "all");
        BearerRequestSender wrong = new BearerRequestSender(http, ClientCredentialsTokenSource.builder()
                .logtoEndpoint(issuer.endpoint().toString()).clientId("other-app").clientSecret("other-secret")
                .resource("https://api.example.com/other").scopes("all").clock(clock).build());
        HttpResponse<String> refused = wrong.send(createOrganization("never"), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode());
        assertTrue(refused.body().contains("auth.unauthorized"), refused.body());
        assertEquals(2, issuer.managementRequests());
        assertEquals(2, issuer.tokenRequests());
        assertEquals(Map.of(), issuer.organizations());
    }

    @Test
    void otherRefusalsAreNotRetried() throws Exception {
        issuer.registerClient("reader-app", "reader-secret").grant(issuer.managementApiResource(), "read");
        ClientCredentialsTokenSource readOnly = ClientCredentialsTokenSource.builder()
                .logtoEndpoint(issuer.endpoint().toString()).clientId("reader-app").clientSecret("reader-secret")
                .resource(issuer.managementApiResource()).scopes("read").clock(clock).build();
        HttpResponse<String> forbidden = new BearerRequestSender(http, readOnly)
                .send(createOrganization("x"), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forbidden.statusCode());
        assertEquals(1, issuer.managementRequests());

        issuer.failManagementRequests("POST", "/api/organizations", 1, 500);
        assertEquals(500, sender.send(createOrganization("y"), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(2, issuer.managementRequests());
    }

    @Test
    void anAuthorizationHeaderOfTheRequestIsReplaced() throws Exception {
        HttpRequest withUserToken = HttpRequest.newBuilder(createOrganization("z"), (n, v) -> true)
                .header("Authorization", "Bearer a-user-token-that-must-not-be-forwarded").build();
        HttpRequest decorated = BearerRequestSender.authorized(withUserToken, tokens.token());
        assertEquals(List.of(tokens.token().authorizationHeader()), decorated.headers().allValues("Authorization"));
        assertEquals(withUserToken.uri(), decorated.uri());
        assertEquals("POST", decorated.method());
        assertEquals(201, sender.send(withUserToken, HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    /**
     * Two calls sent with the same token, both refused (a server holds both until both arrived):
     * one new token between them, and both succeed.
     */
    @Test
    @Timeout(30)
    void callersRefusedTogetherShareOneNewToken() throws Exception {
        String first = tokens.token().value();
        CyclicBarrier bothArrived = new CyclicBarrier(2);
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer resource = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        resource.setExecutor(Executors.newCachedThreadPool());
        resource.createContext("/", ex -> {
            String token = ex.getRequestHeaders().getFirst("Authorization").substring("Bearer ".length());
            seen.add(token);
            try {
                if (token.equals(first)) {
                    bothArrived.await(10, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            ex.sendResponseHeaders(token.equals(first) ? 401 : 204, -1);
            ex.close();
        });
        resource.start();
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            URI uri = URI.create("http://127.0.0.1:" + resource.getAddress().getPort() + "/thing");
            HttpRequest get = HttpRequest.newBuilder(uri).GET().build();
            Future<HttpResponse<Void>> a = callers.submit(() -> sender.send(get, HttpResponse.BodyHandlers.discarding()));
            Future<HttpResponse<Void>> b = callers.submit(() -> sender.send(get, HttpResponse.BodyHandlers.discarding()));
            assertEquals(204, a.get(20, TimeUnit.SECONDS).statusCode());
            assertEquals(204, b.get(20, TimeUnit.SECONDS).statusCode());
            assertEquals(2, issuer.tokenRequests(), "the first token and one replacement");
            assertEquals(4, seen.size());
            assertEquals(2, seen.stream().filter(first::equals).count());
            assertEquals(1, seen.stream().filter(t -> !t.equals(first)).distinct().count());
        } finally {
            callers.shutdownNow();
            resource.stop(0);
        }
    }

    private static String capturedStandardError(ThrowingRunnable action) throws Exception {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            action.run();
        } finally {
            System.setErr(originalErr);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
