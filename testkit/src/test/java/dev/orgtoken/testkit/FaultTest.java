package dev.orgtoken.testkit;

import static dev.orgtoken.testkit.TestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FaultTest {

    private LogtoTestIssuer issuer;

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.start();
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    @Test
    void statusFaultAppliesToJwksAndDiscoveryAndIsCounted() {
        issuer.respondWithStatus(503);
        HttpResponse<String> jwks = get(issuer.jwksUri());
        assertEquals(503, jwks.statusCode());
        assertEquals("", jwks.body());
        assertEquals(Optional.empty(), jwks.headers().firstValue("ETag"));
        assertEquals(503, get(issuer.discoveryUri()).statusCode());
        issuer.respondWithStatus(500);
        assertEquals(500, get(issuer.jwksUri()).statusCode());
        assertEquals(2, issuer.jwksRequests());
        assertEquals(1, issuer.discoveryRequests());

        issuer.respondNormally();
        assertEquals(200, get(issuer.jwksUri()).statusCode());
        assertEquals(3, issuer.jwksRequests());
    }

    @Test
    void bodyFaultServesExactlyThatBody() {
        issuer.respondWithBody("text/html", "<html>oops</html>");
        HttpResponse<String> r = get(issuer.jwksUri());
        assertEquals(200, r.statusCode());
        assertEquals("<html>oops</html>", r.body());
        assertEquals(Optional.of("text/html"), r.headers().firstValue("Content-Type"));
        assertEquals(Optional.empty(), r.headers().firstValue("ETag"));

        String big = "{\"keys\":[" + "{\"kty\":\"EC\"},".repeat(50_000) + "{}]}";
        issuer.respondWithBody("application/json", big);
        assertEquals(big.length(), get(issuer.jwksUri()).body().length());

        issuer.respondWithBody(null, "{\"keys\":");
        HttpResponse<String> noType = get(issuer.jwksUri());
        assertEquals("{\"keys\":", noType.body());
        assertEquals(Optional.empty(), noType.headers().firstValue("Content-Type"));

        issuer.respondWithBody(404, "application/json", "{\"error\":\"gone\"}");
        assertEquals(404, get(issuer.discoveryUri()).statusCode());
    }

    @Test
    void redirectFaultSends302WithLocation() {
        URI elsewhere = URI.create("http://evil.example.com/jwks");
        issuer.redirectTo(elsewhere);
        HttpResponse<String> r = get(issuer.jwksUri());
        assertEquals(302, r.statusCode());
        assertEquals(Optional.of(elsewhere.toString()), r.headers().firstValue("Location"));
        assertEquals(1, issuer.jwksRequests());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void hangDelaysJwksWithoutBlockingOtherRequests() throws Exception {
        issuer.hangFor(Duration.ofMillis(1500));
        long t0 = System.nanoTime();
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> get(issuer.jwksUri()));
        // while the JWKS request sleeps, the token endpoint still answers at once
        Thread.sleep(200);
        long t1 = System.nanoTime();
        HttpResponse<String> token = TestSupport.postForm(issuer.tokenEndpoint(), null, "grant_type", "client_credentials");
        assertEquals(400, token.statusCode());
        assertTrue(Duration.ofNanos(System.nanoTime() - t1).toMillis() < 1000, "token endpoint was held up");
        assertTrue(!slow.isDone());

        HttpResponse<String> r = slow.get(10, TimeUnit.SECONDS);
        long elapsed = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains(issuer.currentKey().kid()));
        assertTrue(elapsed >= 1400, "answered after " + elapsed + " ms");
        assertEquals(1, issuer.jwksRequests());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void closeIsPromptEvenWithAHangingRequest() throws Exception {
        issuer.hangFor(Duration.ofSeconds(60));
        CompletableFuture<HttpResponse<String>> hanging = CompletableFuture.supplyAsync(() -> get(issuer.jwksUri()));
        for (int i = 0; i < 100 && issuer.jwksRequests() == 0; i++) {
            Thread.sleep(20);
        }
        assertEquals(1, issuer.jwksRequests());
        long t0 = System.nanoTime();
        issuer.close();
        long closeMillis = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertTrue(closeMillis < 2000, "close took " + closeMillis + " ms");
        // the hanging request ends (with an error) instead of waiting a minute
        try {
            hanging.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException expected) {
            assertTrue(expected.getCause() instanceof UncheckedIOException, String.valueOf(expected.getCause()));
        }
        assertThrows(UncheckedIOException.class, () -> get(issuer.jwksUri()));
        issuer.close(); // idempotent
    }
}
