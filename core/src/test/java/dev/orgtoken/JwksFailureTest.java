package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.SigningKey;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jose4j.json.JsonUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Outages, bad answers, timeouts, redirects and shutdown: what the verifier does when the JWKS misbehaves. */
class JwksFailureTest extends JwksFixture {

    // 9. Outage with stale keys ---------------------------------------------------------------

    @Test
    void duringAnOutageTheLastGoodSetIsUsedUntilTheStalePeriodEnds() throws Exception {
        Duration staleFor = Duration.ofHours(1);
        OrganizationTokenVerifier verifier = build(builder().jwksStaleFor(staleFor));
        assertTrue(verifier.warmUp());
        issuer.respondWithStatus(503);

        clock.advance(TTL.plusSeconds(1));
        verifier.verify(token(), REQUIRE_API);   // stale: answered from memory, refresh fails behind it
        awaitTrue("the failed background refresh", () -> counters.jwksFetchFailedCount() == 1);
        assertEquals(2, issuer.jwksRequests());
        // Within the cooldown after that failure, stale lookups do not retry.
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(5));
            verifier.verify(token(), REQUIRE_API);
        }
        settle();
        assertEquals(2, issuer.jwksRequests(), "no retry inside the cooldown");
        for (int i = 1; i <= 10; i++) {
            clock.advance(Duration.ofMinutes(5));   // 50 min more: inside TTL + staleFor, one retry per step
            long expectedFailures = 1 + i;
            verifyUntil(verifier, "retry " + i, () -> counters.jwksFetchFailedCount() == expectedFailures);
        }
        assertEquals(12, issuer.jwksRequests());
        assertEquals(0, counters.rejectedCount());

        // Past TTL + staleFor: nothing usable, and the issuer still fails.
        clock.set(NOW.plus(TTL).plus(staleFor).plusSeconds(1));
        long failuresBefore = counters.jwksFetchFailedCount();
        TokenRejectedException e = rejected(verifier, token());
        assertEquals(RejectionReason.KEYS_UNAVAILABLE, e.reason());
        assertEquals(ErrorCode.KEYS_UNAVAILABLE, e.errorCode());
        assertEquals(503, e.errorCode().httpStatus());
        assertEquals(failuresBefore + 1, counters.jwksFetchFailedCount());

        // The issuer recovers; within the cooldown after the failure nothing is fetched yet.
        issuer.respondNormally();
        int requests = issuer.jwksRequests();
        clock.advance(Duration.ofSeconds(5));
        assertEquals(RejectionReason.KEYS_UNAVAILABLE, rejected(verifier, token()).reason());
        assertEquals(requests, issuer.jwksRequests());

        // After the cooldown the same verifier recovers, no rebuild needed.
        clock.advance(COOLDOWN);
        verifier.verify(token(), REQUIRE_API);
        assertEquals(requests + 1, issuer.jwksRequests());
        verifier.verify(token(), REQUIRE_API);
        assertEquals(requests + 1, issuer.jwksRequests());
    }

    /**
     * Verifies fresh tokens until the condition holds. A stale set starts its background refresh from
     * a request, and a request that comes while the previous refresh is still finishing starts none,
     * so one request may not be enough; the cooldown still allows only one refresh per step.
     */
    private void verifyUntil(OrganizationTokenVerifier verifier, String what, java.util.function.BooleanSupplier done)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        do {
            verifier.verify(token(), REQUIRE_API);
            if (done.getAsBoolean()) {
                return;
            }
            pause(5);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("timed out waiting for " + what);
    }

    // 10. Down from start-up ------------------------------------------------------------------

    @Test
    void downFromStartUpIsKeysUnavailableQuicklyAndRecoversAfterTheCooldown() throws Exception {
        issuer.respondWithStatus(503);
        OrganizationTokenVerifier verifier = build(builder().jwksRequestTimeout(Duration.ofMillis(500)));

        long start = System.nanoTime();
        TokenRejectedException first = rejected(verifier, token());
        long elapsed = millisSince(start);
        assertEquals(RejectionReason.KEYS_UNAVAILABLE, first.reason());
        assertEquals(503, first.errorCode().httpStatus());
        assertTrue(elapsed < 1_500, "took " + elapsed + " ms");
        assertEquals(1, issuer.jwksRequests());
        assertEquals(1, counters.jwksFetchFailedCount());

        // Inside the cooldown: answered at once, without hammering the issuer.
        clock.advance(Duration.ofSeconds(10));
        start = System.nanoTime();
        assertEquals(RejectionReason.KEYS_UNAVAILABLE, rejected(verifier, token()).reason());
        assertTrue(millisSince(start) < 400, "no waiting inside the cooldown");
        settle();
        assertEquals(1, issuer.jwksRequests());

        issuer.respondNormally();
        clock.advance(COOLDOWN);
        verifier.verify(token(), REQUIRE_API);
        assertEquals(2, issuer.jwksRequests());
        assertEquals(1, counters.jwksFetchedCount());
    }

    @Test
    void afterAFailedFetchARetryIsScheduledWithoutWaitingForTraffic() throws Exception {
        issuer.respondWithStatus(503);
        // A zero cooldown still retries no sooner than 1 s, in real time.
        OrganizationTokenVerifier verifier = build(builder().jwksRefreshCooldown(Duration.ZERO));
        assertEquals(RejectionReason.KEYS_UNAVAILABLE, rejected(verifier, token()).reason());
        assertEquals(1, issuer.jwksRequests());
        issuer.respondNormally();

        awaitTrue("the scheduled retry", () -> counters.jwksFetchedCount() == 1);
        assertEquals(2, issuer.jwksRequests());
        settle();
        verifier.verify(token(), REQUIRE_API);
        assertEquals(2, issuer.jwksRequests());
    }

    // 12. Malformed sets keep the last good one -----------------------------------------------

    @Test
    void aMalformedOrOversizedSetKeepsTheLastGoodOne() throws Exception {
        OrganizationTokenVerifier verifier = build(builder().jwksMaxResponseBytes(2048));
        assertTrue(verifier.warmUp());
        SigningKey unpublished = SigningKey.generate(KeyType.EC_P384);
        String current = issuer.currentKey().publicJwk();
        String padding = "x".repeat(3000);
        Map<String, String> bodies = Map.of(
                "garbage", "<html>this is not json",
                "no keys array", "{\"keys\":{}}",
                "oversized", "{\"keys\":[" + current + "," + unpublished.publicJwk() + "],\"pad\":\"" + padding + "\"}");
        long failures = 0;
        for (Map.Entry<String, String> body : bodies.entrySet()) {
            issuer.respondWithBody("application/json", body.getValue());
            clock.advance(COOLDOWN.plusSeconds(1));
            // The unpublished key's token forces a refresh; the bad answer must not be installed.
            assertEquals(RejectionReason.UNKNOWN_KEY, rejected(verifier, tokenSignedBy(unpublished)).reason(),
                    body.getKey());
            failures++;
            assertEquals(failures, counters.jwksFetchFailedCount(), body.getKey());
            verifier.verify(token(), REQUIRE_API);
        }
        assertEquals(1, counters.jwksFetchedCount());
        assertEquals(0, counters.rejectedCount(RejectionReason.KEYS_UNAVAILABLE));
    }

    /**
     * Outside review, finding 3: a well-formed answer with no usable key is the issuer's word that
     * it trusts none of the old keys (it withdrew its last key, or rotated to a key type the
     * allow-list refuses). It used to count as a failed fetch, so the withdrawn key, and the tokens
     * cached under it, stayed trusted for the 24 h stale period.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"keys\":[]}", "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\",\"kid\":\"x\"}]}"})
    void aWellFormedSetWithoutUsableKeysUntrustsEveryKey(String body) throws Exception {
        OrganizationTokenVerifier verifier = build(builder());
        String cached = token();
        verifier.verify(cached, REQUIRE_API);
        assertEquals(1, counters.tokenCacheMissCount());

        issuer.respondWithBody("application/json", body);
        clock.advance(COOLDOWN.plusSeconds(1));
        // Any refresh will do; a token with a new kid forces one now.
        SigningKey unpublished = SigningKey.generate(KeyType.EC_P384);
        assertEquals(RejectionReason.UNKNOWN_KEY, rejected(verifier, tokenSignedBy(unpublished)).reason());
        assertEquals(2, counters.jwksFetchedCount());

        assertEquals(RejectionReason.UNKNOWN_KEY, rejected(verifier, cached).reason(), "the cached token");
        assertEquals(RejectionReason.UNKNOWN_KEY, rejected(verifier, token()).reason(), "a fresh token");
        assertFalse(verifier.warmUp(), "no usable key");
        assertEquals(0, counters.jwksFetchFailedCount());

        // The issuer publishes a key again: it is learned on the next forced refresh.
        issuer.respondNormally();
        clock.advance(COOLDOWN.plusSeconds(1));
        verifier.verify(token(), REQUIRE_API);
    }

    @Test
    void aMalformedKeyIsSkippedAndItsGoodNeighbourLoads() throws Exception {
        OrganizationTokenVerifier verifier = build(builder());
        assertTrue(verifier.warmUp());
        SigningKey good = SigningKey.generate(KeyType.EC_P384);
        // No y at all; and an RSA modulus of 8 bits.
        String malformed = "{\"kty\":\"EC\",\"use\":\"sig\",\"kid\":\"broken\",\"alg\":\"ES384\",\"crv\":\"P-384\","
                + "\"x\":\"AAAA\"},{\"kty\":\"RSA\",\"kid\":\"short\",\"e\":\"AQAB\",\"n\":\"AQ\"}";
        issuer.respondWithBody("application/json", "{\"keys\":[" + malformed + "," + good.publicJwk() + ","
                + issuer.currentKey().publicJwk() + "]}");

        assertEquals(good.kid(), verifier.verify(tokenSignedBy(good), REQUIRE_API).keyId());
        assertEquals(2, counters.jwksFetchedCount());
        assertEquals(0, counters.jwksFetchFailedCount());
        verifier.verify(token(), REQUIRE_API);
        String underBrokenKid = issuer.globalApiToken("user-1", API, "read:members").kid("broken").sign();
        clock.advance(COOLDOWN.plusSeconds(1));
        assertEquals(RejectionReason.UNKNOWN_KEY, rejected(verifier, underBrokenKid).reason());
        assertEquals(3, counters.jwksFetchedCount(), "the forced refresh loaded the same set again");
    }

    @Test
    void everyKeyUnderADuplicatedKidIsIgnored() throws Exception {
        OrganizationTokenVerifier verifier = build(builder());
        assertTrue(verifier.warmUp());
        SigningKey first = SigningKey.generate(KeyType.EC_P384);
        SigningKey second = SigningKey.generate(KeyType.EC_P384);
        SigningKey bystander = SigningKey.generate(KeyType.EC_P384);
        String secondUnderFirstsKid = second.publicJwk().replace(second.kid(), first.kid());
        issuer.respondWithBody("application/json", "{\"keys\":[" + first.publicJwk() + "," + secondUnderFirstsKid
                + "," + bystander.publicJwk() + "," + issuer.currentKey().publicJwk() + "]}");

        // The bystander's token forces the fetch and proves the set itself was accepted.
        assertEquals(bystander.kid(), verifier.verify(tokenSignedBy(bystander), REQUIRE_API).keyId());
        assertEquals(2, counters.jwksFetchedCount());
        clock.advance(COOLDOWN.plusSeconds(1));
        assertEquals(RejectionReason.UNKNOWN_KEY, rejected(verifier, tokenSignedBy(first)).reason());
        String secondsToken = issuer.globalApiToken("user-1", API, "read:members").signedWith(second)
                .kid(first.kid()).sign();
        assertEquals(RejectionReason.UNKNOWN_KEY, rejected(verifier, secondsToken).reason());
    }

    @Test
    void anEcKeyWhosePointIsOffItsCurveIsSkipped() throws Exception {
        OrganizationTokenVerifier verifier = build(builder());
        assertTrue(verifier.warmUp());
        SigningKey real = SigningKey.generate(KeyType.EC_P384);
        SigningKey bystander = SigningKey.generate(KeyType.EC_P384);
        issuer.respondWithBody("application/json", "{\"keys\":[" + offCurve(real) + "," + bystander.publicJwk() + ","
                + issuer.currentKey().publicJwk() + "]}");

        assertEquals(bystander.kid(), verifier.verify(tokenSignedBy(bystander), REQUIRE_API).keyId());
        assertEquals(2, counters.jwksFetchedCount());
        clock.advance(COOLDOWN.plusSeconds(1));
        assertEquals(RejectionReason.UNKNOWN_KEY, rejected(verifier, tokenSignedBy(real)).reason());
    }

    /** The key's public JWK with y moved by one: the same x, a point that is not on P-384. */
    static String offCurve(SigningKey key) throws Exception {
        Map<String, Object> jwk = JsonUtil.parseJson(key.publicJwk());
        String y = (String) jwk.get("y");
        byte[] raw = Base64.getUrlDecoder().decode(y);
        BigInteger moved = new BigInteger(1, raw).add(BigInteger.ONE);
        byte[] out = new byte[raw.length];
        byte[] m = moved.toByteArray();
        System.arraycopy(m, Math.max(0, m.length - out.length), out, Math.max(0, out.length - m.length),
                Math.min(m.length, out.length));
        String movedY = Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        String text = key.publicJwk().replace("\"y\":\"" + y + "\"", "\"y\":\"" + movedY + "\"");
        assertFalse(text.equals(key.publicJwk()));
        return text;
    }

    // 13. Timeouts ----------------------------------------------------------------------------

    @Test
    void aHangingIssuerIsKeysUnavailableWithinTheRequestTimeout() throws Exception {
        issuer.hangFor(Duration.ofSeconds(5));
        OrganizationTokenVerifier verifier = build(builder().jwksRequestTimeout(Duration.ofMillis(500)));
        long start = System.nanoTime();
        TokenRejectedException e = rejected(verifier, token());
        long elapsed = millisSince(start);
        assertEquals(RejectionReason.KEYS_UNAVAILABLE, e.reason());
        assertTrue(elapsed >= 400 && elapsed < 2_000, "took " + elapsed + " ms with a 500 ms request timeout");
        awaitTrue("the timed-out fetch to count as failed", () -> counters.jwksFetchFailedCount() == 1);
    }

    // 14. Redirects ---------------------------------------------------------------------------

    @Test
    void aRedirectToAnotherHostIsNotFollowed() {
        issuer.redirectTo(URI.create("http://127.0.0.2:1/oidc/jwks"));
        OrganizationTokenVerifier verifier = build(builder());
        assertEquals(RejectionReason.KEYS_UNAVAILABLE, rejected(verifier, token()).reason());
        assertEquals(1, issuer.jwksRequests());
        assertEquals(1, counters.jwksFetchFailedCount());
    }

    @Test
    void theDefaultClientDoesNotFollowARedirectEvenToTheSameKeys() {
        try (LogtoTestIssuer elsewhere = LogtoTestIssuer.builder().signingKey(issuer.currentKey()).build()) {
            issuer.redirectTo(elsewhere.jwksUri());
            OrganizationTokenVerifier verifier = build(builder());
            assertEquals(RejectionReason.KEYS_UNAVAILABLE, rejected(verifier, token()).reason());
            assertEquals(0, elsewhere.jwksRequests(), "the redirect must not be followed");
        }
    }

    @Test
    void aCrossOriginAnswerIsRefusedEvenWhenTheSuppliedClientFollowsRedirects() throws Exception {
        // The other origin even publishes the right key: the answer is still refused.
        try (LogtoTestIssuer elsewhere = LogtoTestIssuer.builder().signingKey(issuer.currentKey()).build()) {
            issuer.redirectTo(elsewhere.jwksUri());
            HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.ALWAYS)
                    .connectTimeout(Duration.ofSeconds(2)).build();
            OrganizationTokenVerifier verifier = build(builder().httpClient(following));
            assertEquals(RejectionReason.KEYS_UNAVAILABLE, rejected(verifier, token()).reason());
            assertEquals(1, elsewhere.jwksRequests(), "the supplied client followed the redirect");
            assertEquals(1, counters.jwksFetchFailedCount());
            assertEquals(0, counters.jwksFetchedCount());

            // A same-origin answer through the same client is fine.
            issuer.respondNormally();
            clock.advance(COOLDOWN.plusSeconds(1));
            verifier.verify(token(), REQUIRE_API);
        }
    }

    // 15. close() -----------------------------------------------------------------------------

    @Test
    void afterCloseNothingIsFetchedAndNoThreadsRemain() throws Exception {
        Set<Thread> before = orgtokenThreads();
        OrganizationTokenVerifier verifier = builder().build();
        assertTrue(verifier.warmUp());
        String known = token();
        verifier.verify(known, REQUIRE_API);
        Set<Thread> mine = orgtokenThreads();
        mine.removeAll(before);
        assertFalse(mine.isEmpty(), "the verifier runs its refreshes on threads named orgtoken-*");

        verifier.close();
        clock.advance(TTL.plusSeconds(1));
        verifier.verify(token(), REQUIRE_API);   // from memory, and no background refresh
        assertEquals(RejectionReason.UNKNOWN_KEY, rejected(verifier, tokenWithRandomKid()).reason());
        settle();
        assertEquals(1, issuer.jwksRequests());
        assertEquals(0, counters.jwksFetchFailedCount(), "no fetch was even attempted");

        awaitTrue("the verifier's threads to end", () -> mine.stream().noneMatch(Thread::isAlive));
        Set<String> nonDaemon = orgtokenThreads().stream().filter(t -> !t.isDaemon()).map(Thread::getName)
                .collect(Collectors.toSet());
        assertEquals(Set.of(), nonDaemon);
    }

    @Test
    void afterCloseLookupsAnswerFromMemoryEvenWithASuppliedClient() throws Exception {
        // A supplied client is not ours to shut down, so it would still work: close() must stop us using it.
        HttpClient supplied = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        OrganizationTokenVerifier verifier = build(builder().httpClient(supplied));
        assertTrue(verifier.warmUp());
        verifier.close();

        verifier.verify(token(), REQUIRE_API);
        assertEquals(RejectionReason.UNKNOWN_KEY, rejected(verifier, tokenWithRandomKid()).reason());
        assertTrue(verifier.warmUp(), "the cached set is still usable");
        clock.advance(TTL.plusSeconds(1));
        verifier.verify(token(), REQUIRE_API);
        clock.advance(Duration.ofDays(2));   // past TTL + staleFor: nothing usable any more
        assertEquals(RejectionReason.KEYS_UNAVAILABLE, rejected(verifier, token()).reason());
        assertFalse(verifier.warmUp());
        settle();
        assertEquals(1, issuer.jwksRequests(), "a closed verifier fetches nothing");
        assertEquals(0, counters.jwksFetchFailedCount(), "and reports no failed fetches");
    }

    private static Set<Thread> orgtokenThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("orgtoken-") && t.isAlive())
                .collect(Collectors.toSet());
    }
}
