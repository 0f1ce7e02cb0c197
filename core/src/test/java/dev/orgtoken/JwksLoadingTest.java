package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.LogtoTestIssuer;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** JWKS loading: lazy first fetch, warm-up, known kids from memory, conditional refresh, max-age. */
class JwksLoadingTest extends JwksFixture {

    // 1. Lazy ---------------------------------------------------------------------------------

    @Test
    void buildingFetchesNothingAndTheFirstVerifyFetchesOnce() throws Exception {
        OrganizationTokenVerifier verifier = build(builder());
        settle();
        assertEquals(0, issuer.jwksRequests(), "build() must not fetch");

        VerifiedToken t = verifier.verify(token(), REQUIRE_API);
        assertEquals(issuer.currentKey().kid(), t.keyId());
        assertEquals(1, issuer.jwksRequests());
        assertEquals(1, counters.jwksFetchedCount());
        assertEquals(0, counters.jwksFetchFailedCount());
    }

    @Test
    void warmUpFetchesOnceAndReturnsTrue() throws Exception {
        OrganizationTokenVerifier verifier = build(builder());
        assertTrue(verifier.warmUp());
        assertEquals(1, issuer.jwksRequests());
        assertEquals(1, counters.jwksFetchedCount());

        // Keys are there: neither a request nor a second warm-up fetches again.
        verifier.verify(token(), REQUIRE_API);
        assertTrue(verifier.warmUp());
        assertEquals(1, issuer.jwksRequests());
    }

    @Test
    void warmUpAgainstAHangingIssuerReturnsFalseWithinTheRequestTimeout() {
        issuer.hangFor(Duration.ofSeconds(5));
        OrganizationTokenVerifier verifier = build(builder().jwksRequestTimeout(Duration.ofMillis(500)));
        long start = System.nanoTime();
        assertFalse(verifier.warmUp());
        long elapsed = millisSince(start);
        assertTrue(elapsed >= 400 && elapsed < 1_500, "warmUp took " + elapsed + " ms, request timeout is 500 ms");
        assertEquals(1, issuer.jwksRequests());
    }

    @Test
    void buildNeverFailsBecauseTheIssuerIsDown() {
        URI deadEndpoint;
        try (LogtoTestIssuer gone = LogtoTestIssuer.start()) {
            deadEndpoint = gone.endpoint();
        }
        // Connection refused: build() succeeds, warmUp() says false, a request is refused as keys-unavailable.
        OrganizationTokenVerifier verifier = build(builder()
                .logtoEndpoint(deadEndpoint.toString())
                .jwksRequestTimeout(Duration.ofMillis(500)));
        long start = System.nanoTime();
        assertFalse(verifier.warmUp());
        assertTrue(millisSince(start) < 1_500);
        assertEquals(1, counters.jwksFetchFailedCount());
        String tokenForDeadIssuer = issuer.globalApiToken("user-1", API, "read:members")
                .issuer(deadEndpoint + "/oidc").sign();
        assertEquals(RejectionReason.KEYS_UNAVAILABLE, rejected(verifier, tokenForDeadIssuer).reason());
    }

    // 2. Known kid: answered from memory -------------------------------------------------------

    @Test
    void aHundredDifferentTokensCostOneFetch() throws Exception {
        OrganizationTokenVerifier verifier = build(builder());
        for (int i = 0; i < 100; i++) {
            verifier.verify(token(), REQUIRE_API);
        }
        assertEquals(1, issuer.jwksRequests());
        assertEquals(100, counters.acceptedCount());
        assertEquals(100, counters.tokenCacheMissCount(), "each token was new, so each was checked");
    }

    // 3. ETag / 304 ---------------------------------------------------------------------------

    @Test
    void pastTheTtlABackgroundConditionalRefreshIsAnswered304() throws Exception {
        OrganizationTokenVerifier verifier = build(builder());
        assertTrue(verifier.warmUp());
        assertEquals(1, issuer.jwksRequests());

        clock.advance(TTL.plusSeconds(1));
        verifier.verify(token(), REQUIRE_API);   // answered from memory, starts the refresh
        awaitTrue("the conditional refresh", () -> counters.jwksNotModifiedCount() == 1);
        assertEquals(2, issuer.jwksRequests());
        assertEquals(1, issuer.jwksNotModified());
        assertEquals(1, counters.jwksFetchedCount(), "a 304 is not a 200");
        assertEquals(0, counters.jwksFetchFailedCount());

        // The 304 extended the TTL: keys keep working, with no further fetch.
        verifier.verify(token(), REQUIRE_API);
        clock.advance(TTL.minusSeconds(1));
        verifier.verify(token(), REQUIRE_API);
        settle();
        assertEquals(2, issuer.jwksRequests());
        assertEquals(0, counters.rejectedCount());
    }

    @Test
    void aRequestPastTheTtlDoesNotWaitForTheRefresh() throws Exception {
        OrganizationTokenVerifier verifier = build(builder().jwksRequestTimeout(Duration.ofSeconds(3)));
        assertTrue(verifier.warmUp());
        issuer.hangFor(Duration.ofSeconds(5));
        clock.advance(TTL.plusSeconds(1));
        long start = System.nanoTime();
        verifier.verify(token(), REQUIRE_API);
        long elapsed = millisSince(start);
        assertTrue(elapsed < 1_000, "a known kid must be answered from memory, took " + elapsed + " ms");
        awaitTrue("the background refresh to reach the issuer", () -> issuer.jwksRequests() == 2);
    }

    @Test
    void aScheduledRefreshRunsAheadOfTheTtlWithoutTrafficAndStopsAtClose() throws Exception {
        // The only test that waits on the wall clock: the refresh timer runs in real time (at least 1 s).
        // A supplied client keeps working after close(), so a leaked timer would reach the issuer.
        OrganizationTokenVerifier verifier = builder().jwksTtl(Duration.ofSeconds(1))
                .httpClient(java.net.http.HttpClient.newHttpClient()).build();
        try {
            assertTrue(verifier.warmUp());
            // Conditional, so the unchanged set costs a 304.
            awaitTrue("a scheduled refresh", () -> counters.jwksNotModifiedCount() == 1);
            assertEquals(2, issuer.jwksRequests());
            assertEquals(1, issuer.jwksNotModified());
            pause(100);   // let it arm the next timer, which close() must then cancel
        } finally {
            verifier.close();
        }
        int atClose = issuer.jwksRequests();
        pause(1_200);   // the timer would have fired again within 1 s
        assertEquals(atClose, issuer.jwksRequests(), "no scheduled refresh after close()");
    }

    // 4. max-age honoured only inside [1 min, 24 h] -----------------------------------------------

    @Test
    void logtosMaxAgeZeroNeverCausesAFetchPerRequest() throws Exception {
        assertEquals(LogtoTestIssuer.DEFAULT_JWKS_CACHE_CONTROL, "no-cache, max-age=0, must-revalidate");
        OrganizationTokenVerifier verifier = build(builder());
        assertTrue(verifier.warmUp());
        for (int minute = 1; minute <= 9; minute++) {
            clock.advance(Duration.ofMinutes(1));
            for (int i = 0; i < 5; i++) {
                verifier.verify(token(), REQUIRE_API);
            }
        }
        clock.advance(Duration.ofSeconds(59));   // 9:59 after the fetch, still inside the 10 min TTL
        verifier.verify(token(), REQUIRE_API);
        settle();
        assertEquals(1, issuer.jwksRequests());

        clock.advance(Duration.ofSeconds(2));    // 10:01: the configured TTL is what counts
        verifier.verify(token(), REQUIRE_API);
        awaitTrue("the refresh after the configured TTL", () -> issuer.jwksRequests() == 2);
    }

    @Test
    void aMaxAgeInsideTheRangeReplacesTheTtl() throws Exception {
        issuer.setJwksCacheControl("public, max-age=120");
        OrganizationTokenVerifier verifier = build(builder().jwksTtl(Duration.ofMinutes(10)));
        assertTrue(verifier.warmUp());

        clock.advance(Duration.ofSeconds(119));
        verifier.verify(token(), REQUIRE_API);
        settle();
        assertEquals(1, issuer.jwksRequests(), "still fresh at 119 s");

        clock.advance(Duration.ofSeconds(2));   // 121 s
        verifier.verify(token(), REQUIRE_API);
        awaitTrue("the refresh after max-age", () -> counters.jwksNotModifiedCount() == 1);
        assertEquals(2, issuer.jwksRequests());
    }

    @Test
    void aMaxAgeAboveOneDayIsIgnoredForTheTtl() throws Exception {
        issuer.setJwksCacheControl("max-age=999999");
        OrganizationTokenVerifier verifier = build(builder().jwksTtl(Duration.ofMinutes(10)));
        assertTrue(verifier.warmUp());

        clock.advance(Duration.ofMinutes(9));
        verifier.verify(token(), REQUIRE_API);
        settle();
        assertEquals(1, issuer.jwksRequests());

        clock.advance(Duration.ofMinutes(1).plusSeconds(1));   // 10:01
        verifier.verify(token(), REQUIRE_API);
        awaitTrue("the refresh after the configured TTL", () -> counters.jwksNotModifiedCount() == 1);
        assertEquals(2, issuer.jwksRequests());
    }

    @Test
    void aMaxAgeBelowOneMinuteIsIgnoredForTheTtl() throws Exception {
        issuer.setJwksCacheControl("max-age=30");
        OrganizationTokenVerifier verifier = build(builder().jwksTtl(Duration.ofMinutes(10)));
        assertTrue(verifier.warmUp());
        clock.advance(Duration.ofMinutes(5));
        verifier.verify(token(), REQUIRE_API);
        settle();
        assertEquals(1, issuer.jwksRequests());
    }
}
