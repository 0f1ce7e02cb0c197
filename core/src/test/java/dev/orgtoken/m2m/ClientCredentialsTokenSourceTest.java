package dev.orgtoken.m2m;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import dev.orgtoken.VerifiedToken;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.TestClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client-credentials token source against the testkit's /oidc/token, over real HTTP. */
class ClientCredentialsTokenSourceTest {
    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final String API = "https://api.example.com/global";
    private static final String ORG_API = "https://api.example.com/org";
    private static final String CLIENT_ID = "m2m-app";
    /** Characters that need form-encoding in the Basic credentials, and that are easy to spot if leaked. */
    private static final String SECRET = "s3cr3t:with/odd+chars=&%-9f1c";

    private final TestClock clock = new TestClock(NOW);
    private LogtoTestIssuer issuer;

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.builder().clock(clock).build();
        issuer.registerClient(CLIENT_ID, SECRET)
                .grant(API, "read:products", "write:products")
                .grantInOrganization("o1", ORG_API, "read:members");
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    private ClientCredentialsTokenSource.Builder source() {
        return ClientCredentialsTokenSource.builder()
                .logtoEndpoint(issuer.endpoint().toString())
                .clientId(CLIENT_ID)
                .clientSecret(SECRET)
                .resource(API)
                .scopes("read:products")
                .clock(clock);
    }

    private OrganizationTokenVerifier verifier() {
        return OrganizationTokenVerifier.builder().logtoEndpoint(issuer.endpoint().toString()).clock(clock).build();
    }

    // Success -------------------------------------------------------------------------------------

    @Test
    void theTokenVerifiesAsAMachineToMachineTokenForTheResource() throws Exception {
        AccessToken token = source().build().token();
        assertEquals("Bearer", token.tokenType());
        assertEquals(Set.of("read:products"), token.scopes(), "only the requested scope is granted");
        assertEquals(NOW.plus(LogtoTestIssuer.DEFAULT_ACCESS_TOKEN_TTL), token.expiresAt());
        assertEquals("Bearer " + token.value(), token.authorizationHeader());

        try (OrganizationTokenVerifier verifier = verifier()) {
            VerifiedToken verified = verifier.verify(token.value(), Requirements.audience(API).scopes("read:products"));
            assertTrue(verified.isMachineToMachine());
            assertEquals(CLIENT_ID, verified.subject());
            assertEquals(Optional.of(CLIENT_ID), verified.clientId());
            assertEquals(Set.of("read:products"), verified.scopes());
            assertEquals(List.of(API), verified.audiences());
        }
        assertEquals(1, issuer.tokenRequests());
    }

    @Test
    void anOrganizationTokenForAnOrganizationLevelResource() throws Exception {
        AccessToken token = source().resource(ORG_API).scopes("read:members").organizationId("o1").build().token();
        try (OrganizationTokenVerifier verifier = verifier()) {
            VerifiedToken verified = verifier.verify(token.value(),
                    Requirements.audience(ORG_API).organization("o1").scopes("read:members"));
            assertTrue(verified.isMachineToMachine());
            assertEquals(Optional.of("o1"), verified.organizationId());
        }
    }

    // Caching -------------------------------------------------------------------------------------

    @Test
    void theTokenIsCachedUntilShortlyBeforeItExpires() throws Exception {
        ClientCredentialsTokenSource source = source().refreshBefore(Duration.ofSeconds(60)).build();
        AccessToken first = source.token();
        assertSame(first, source.token());
        assertEquals(1, issuer.tokenRequests());

        clock.advance(Duration.ofSeconds(3600 - 61));   // 61 s left: more than refreshBefore
        assertSame(first, source.token());
        assertEquals(1, issuer.tokenRequests());

        clock.advance(Duration.ofSeconds(1));           // 60 s left: time for a new one
        AccessToken second = source.token();
        assertEquals(2, issuer.tokenRequests());
        assertNotEquals(first.value(), second.value());
        assertEquals(clock.instant().plus(LogtoTestIssuer.DEFAULT_ACCESS_TOKEN_TTL), second.expiresAt());
        assertSame(second, source.token());
        assertEquals(2, issuer.tokenRequests());
    }

    @Test
    void concurrentCallersShareOneRequest() throws Exception {
        ClientCredentialsTokenSource source = source().build();
        int n = 16;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch ready = new CountDownLatch(n);
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<AccessToken>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                results.add(pool.submit(() -> {
                    ready.countDown();
                    gate.await();
                    return source.token();
                }));
            }
            assertTrue(ready.await(5, TimeUnit.SECONDS));
            gate.countDown();
            Set<String> values = new HashSet<>();
            for (Future<AccessToken> f : results) {
                values.add(f.get(10, TimeUnit.SECONDS).value());
            }
            assertEquals(1, values.size());
            assertEquals(1, issuer.tokenRequests());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void invalidateDropsTheRefusedTokenOnly() throws Exception {
        ClientCredentialsTokenSource source = source().build();
        AccessToken first = source.token();
        assertTrue(source.invalidate(first));
        AccessToken second = source.token();
        assertEquals(2, issuer.tokenRequests());
        assertNotEquals(first.value(), second.value());
        assertSame(second, source.token());

        // The same refusal reported again (another caller that sent the first token too) keeps the
        // token that replaced it: no third request.
        assertFalse(source.invalidate(first));
        assertSame(second, source.token());
        assertEquals(2, issuer.tokenRequests());

        // A token this source never handed out changes nothing either.
        AccessToken stranger = new AccessToken(issuer.m2mToken(CLIENT_ID, API).sign(), "Bearer",
                NOW.plusSeconds(3600), Set.of());
        assertFalse(source.invalidate(stranger));
        assertSame(second, source.token());
        assertEquals(2, issuer.tokenRequests());
    }

    /**
     * The race of issue 13 made deterministic: a refresh is in flight (held at a gate in front of
     * the token endpoint) when another caller reports the old token refused. The report must not
     * start a second request, and must not throw away the token the refresh brings.
     */
    @Test
    @Timeout(30)
    void aRefusalReportedDuringARefreshKeepsTheRefreshedToken() throws Exception {
        try (GatedTokenEndpoint gate = new GatedTokenEndpoint(issuer.tokenEndpoint())) {
            ClientCredentialsTokenSource source = source().tokenEndpoint(gate.uri().toString()).build();
            AccessToken first = source.token();
            assertEquals(1, issuer.tokenRequests());

            gate.hold();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                assertTrue(source.invalidate(first));
                Future<AccessToken> refreshing = pool.submit(source::token);
                assertTrue(gate.awaitHeld(1), "the refresh reached the gate");
                // A second caller, refused with the same old token, reports it and asks for a token.
                assertFalse(source.invalidate(first));
                Future<AccessToken> joining = pool.submit(source::token);

                gate.release();
                AccessToken refreshed = refreshing.get(10, TimeUnit.SECONDS);
                assertSame(refreshed, joining.get(10, TimeUnit.SECONDS));
                assertNotEquals(first.value(), refreshed.value());
                assertFalse(source.invalidate(first), "a late report of the old token");
                assertSame(refreshed, source.token());
                assertEquals(2, issuer.tokenRequests(), "one request for the refresh, shared");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    // Errors --------------------------------------------------------------------------------------

    @Test
    void aWrongSecretIsInvalidClient() {
        ClientCredentialsTokenSource source = source().clientSecret("wrong-" + SECRET).build();
        TokenRequestException e = assertThrows(TokenRequestException.class, source::token);
        assertEquals(401, e.status());
        assertEquals(Optional.of("invalid_client"), e.error());
        assertEquals(Optional.of("client authentication failed"), e.errorDescription());
        assertEquals(Optional.of("oidc.invalid_client"), e.code());
        assertNoSecret(e);

        // A failure is not cached: the next call asks again.
        assertThrows(TokenRequestException.class, source::token);
        assertEquals(2, issuer.tokenRequests());
    }

    @Test
    void anUnknownResourceIsInvalidTarget() {
        ClientCredentialsTokenSource source = source().resource("https://api.example.com/nobody-registered-this").build();
        TokenRequestException e = assertThrows(TokenRequestException.class, source::token);
        assertEquals(400, e.status());
        assertEquals(Optional.of("invalid_target"), e.error());
        assertEquals(Optional.of("oidc.invalid_target"), e.code());
        assertEquals(Optional.of("Invalid resource indicator."), e.logtoMessage());
        assertNoSecret(e);
    }

    @Test
    void anOrganizationTheAppIsNotAMemberOfIsAccessDenied() {
        ClientCredentialsTokenSource source = source().resource(ORG_API).scopes("read:members")
                .organizationId("o-elsewhere").build();
        TokenRequestException e = assertThrows(TokenRequestException.class, source::token);
        assertEquals(403, e.status());
        assertEquals(Optional.of("access_denied"), e.error());
        assertEquals(Optional.of("app has not associated with the organization"), e.errorDescription());
        assertEquals(Optional.of("oidc.access_denied"), e.code());
        assertEquals(Optional.of("Access denied."), e.logtoMessage());
        assertTrue(e.getMessage().contains("access_denied"), e.getMessage());
        assertTrue(e.getMessage().contains("app has not associated with the organization"), e.getMessage());
        assertNoSecret(e);
    }

    @Test
    void anUnreachableEndpointIsStatusZero() {
        URI dead;
        try (LogtoTestIssuer gone = LogtoTestIssuer.start()) {
            dead = gone.endpoint();
        }
        ClientCredentialsTokenSource source = source().logtoEndpoint(dead.toString())
                .connectTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(2)).build();
        long start = System.nanoTime();
        TokenRequestException e = assertThrows(TokenRequestException.class, source::token);
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 3_000);
        assertEquals(0, e.status());
        assertEquals(Optional.empty(), e.error());
        assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        assertNoSecret(e);
    }

    /** A token endpoint that accepts the connection and never answers: bounded by the request timeout. */
    @Test
    @Timeout(30)   // a missing timeout would hang here, not fail
    void aHangingEndpointTimesOutWithinTheRequestTimeout() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept());   // read nothing, answer nothing
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            ClientCredentialsTokenSource source = source().logtoEndpoint("http://127.0.0.1:" + silent.getLocalPort())
                    .connectTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(1)).build();
            long start = System.nanoTime();
            TokenRequestException e = assertThrows(TokenRequestException.class, source::token);
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(millis >= 900 && millis < 5_000, "answered after " + millis + " ms");
            assertFalse(held.isEmpty(), "the request never reached the silent endpoint");
            assertEquals(0, e.status());
            assertTrue(e.getMessage().contains("HttpTimeoutException"), e.getMessage());
            assertNoSecret(e);
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void neitherTheSecretNorATokenAppearsInMessagesStringsOrLogs() throws Exception {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        AccessToken token;
        ClientCredentialsTokenSource good;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            good = source().build();
            token = good.token();
            assertThrows(TokenRequestException.class, () -> source().clientSecret(SECRET + "x").build().token());
            assertThrows(TokenRequestException.class, () -> source().resource("https://unknown.example").build().token());
        } finally {
            System.setErr(originalErr);
        }
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertTrue(logs.contains("token endpoint refused client_credentials"), "the log capture works: " + logs);
        assertFalse(logs.contains(SECRET), logs);
        assertFalse(logs.contains(token.value()), logs);
        assertFalse(token.toString().contains(token.value()), token.toString());
        assertTrue(token.toString().contains("redacted"), token.toString());
        assertFalse(good.toString().contains(SECRET), good.toString());
    }

    private static void assertNoSecret(TokenRequestException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String text = t.toString() + " " + t.getMessage();
            assertFalse(text.contains(SECRET), text);
            assertFalse(text.contains("s3cr3t"), text);
            assertFalse(text.contains("Basic "), text);
        }
    }

    // Plain HTTP --------------------------------------------------------------------------------------

    @Test
    void aPlainHttpTokenEndpointOnAnotherHostIsRefusedAtBuild() {
        for (String endpoint : List.of("http://auth.example.com", "http://10.0.0.7:3001", "http://127.0.0.1.nip.io",
                "http://localhost.example.com", "http://127.000.0.1", "http://[::2]", "http://128.0.0.1")) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> source().logtoEndpoint(endpoint).build(), endpoint);
            assertTrue(e.getMessage().contains("allowInsecureHttp"), e.getMessage());
            assertTrue(e.getMessage().contains("plain http"), e.getMessage());
            assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        }
        // Short IPv4 forms have no host to java.net.URI at all: refused as not a URL.
        assertThrows(IllegalArgumentException.class, () -> source().logtoEndpoint("http://127.1"));
        IllegalArgumentException withCredentials = assertThrows(IllegalArgumentException.class,
                () -> source().tokenEndpoint("http://id:" + SECRET + "@auth.example.com/oidc/token"));
        assertFalse(withCredentials.getMessage().contains(SECRET), withCredentials.getMessage());
        IllegalArgumentException userInfo = assertThrows(IllegalArgumentException.class,
                () -> source().tokenEndpoint("https://svc:topsecret@auth.example.com/oidc/token"));
        assertFalse(userInfo.getMessage().contains("topsecret"), userInfo.getMessage());
    }

    @Test
    void loopbackAndHttpsNeedNoOptInAndLogNothing() {
        String logs = capturedStandardError(() -> {
            for (String endpoint : List.of("http://localhost:3001", "http://LOCALHOST.",
                    "http://127.0.0.1:3001", "http://127.255.0.9", "http://[::1]:3001", "https://auth.example.com")) {
                source().logtoEndpoint(endpoint).build();
            }
        });
        assertFalse(logs.contains("plain http"), logs);
    }

    @Test
    void theOptInAllowsAnotherHostWithOneWarningAndNoSecret() {
        String logs = capturedStandardError(() -> {
            source().logtoEndpoint("http://auth.internal:3001").allowInsecureHttp(true).build();
            source().logtoEndpoint("http://localhost:3001").allowInsecureHttp(true).build();   // loopback: silent
        });
        List<String> warnings = logs.lines().filter(l -> l.contains("WARN") && l.contains("plain http")).toList();
        assertEquals(1, warnings.size(), logs);
        assertTrue(warnings.get(0).contains("http://auth.internal:3001/oidc/token"), warnings.get(0));
        assertFalse(logs.contains(SECRET), logs);
    }

    private static String capturedStandardError(Runnable action) {
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

    // Management API end to end -------------------------------------------------------------------

    @Test
    void aManagementApiTokenCreatesAnOrganization() throws Exception {
        issuer.registerClient("mgmt-app", "mgmt-secret").grant(issuer.managementApiResource(), "all");
        ClientCredentialsTokenSource management = ClientCredentialsTokenSource.builder()
                .logtoEndpoint(issuer.endpoint().toString())
                .clientId("mgmt-app")
                .clientSecret("mgmt-secret")
                .resource(issuer.managementApiResource())
                .scopes("all")
                .clock(clock)
                .build();
        HttpRequest create = HttpRequest.newBuilder(URI.create(issuer.endpoint() + "/api/organizations"))
                .header("Authorization", management.token().authorizationHeader())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Acme\"}"))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(create, HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"name\":\"Acme\""), response.body());
        assertTrue(issuer.organizations().containsValue("Acme"));
        assertEquals(1, issuer.tokenRequests());
    }
}
