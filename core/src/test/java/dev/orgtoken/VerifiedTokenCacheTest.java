package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.KeyType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The verified-token cache: hits, per-call checks, switching it off, expiry while cached, the bound. */
class VerifiedTokenCacheTest extends JwksFixture {

    @Test
    void theSecondVerifyOfATokenIsACacheHit() throws Exception {
        OrganizationTokenVerifier verifier = build(builder());
        String token = token();
        VerifiedToken first = verifier.verify(token, REQUIRE_API);
        assertEquals(0, counters.tokenCacheHitCount());
        assertEquals(1, counters.tokenCacheMissCount());
        VerifiedToken second = verifier.verify(token, REQUIRE_API);
        assertEquals(1, counters.tokenCacheHitCount());
        assertEquals(1, counters.tokenCacheMissCount());
        assertEquals(first.subject(), second.subject());
        assertEquals(first.jwtId(), second.jwtId());
        assertEquals(1, verifier.cachedTokenCount());
    }

    /**
     * The cache is looked up by the signature's digest and confirmed by the rest of the token: a
     * cached token's signature on other claims, or the cached token spelled with a character that
     * only looks the same in Latin-1, is never a hit.
     */
    @Test
    void aHitIsTheVerifiedTokenCharForChar() throws Exception {
        OrganizationTokenVerifier verifier = build(builder());
        String token = issuer.organizationResourceToken("user-1", API, "o1", "read:members").sign();
        verifier.verify(token, REQUIRE_API);

        String other = issuer.organizationResourceToken("user-1", API, "o2", "read:members").sign();
        String signature = token.substring(token.lastIndexOf('.'));
        String stolenSignature = other.substring(0, other.lastIndexOf('.')) + signature;
        assertEquals(RejectionReason.BAD_SIGNATURE, assertThrows(TokenRejectedException.class,
                () -> verifier.verify(stolenSignature, REQUIRE_API)).reason());

        char last = token.charAt(token.length() - 1);
        String lookalike = token.substring(0, token.length() - 1) + (char) (last + 0x100);   // same low byte
        assertEquals(RejectionReason.MALFORMED_TOKEN, assertThrows(TokenRejectedException.class,
                () -> verifier.verify(lookalike, REQUIRE_API)).reason());
        // The stolen signature missed and failed its check; the look-alike missed and was refused by shape.
        assertEquals(0, counters.tokenCacheHitCount());
        assertEquals(2, counters.tokenCacheMissCount());

        verifier.verify(token, REQUIRE_API);
        assertEquals(1, counters.tokenCacheHitCount());
    }

    /**
     * Found in review: the per-thread copy of the last signature hashed, with the header.payload an
     * entry keeps, was the whole bearer token, left in the heap. The copy is zeroed after hashing.
     */
    @Test
    void noSignatureIsLeftInTheScratchBuffer() throws Exception {
        OrganizationTokenVerifier verifier = build(builder());
        String token = token();
        verifier.verify(token, REQUIRE_API);
        verifier.verify(token, REQUIRE_API);
        byte[] scratch = VerifiedTokenCache.SCRATCH.get();
        for (int i = 32; i < scratch.length; i++) {
            assertEquals(0, scratch[i], "byte " + i + " of the scratch buffer");
        }
        char[] chars = VerifiedTokenCache.CHARS.get();
        for (int i = 0; i < chars.length; i++) {
            assertEquals(0, chars[i], "char " + i + " of the character scratch");
        }
    }

    /**
     * Found in review: a cache hit used to pass after the key set's stale period had run out; now it
     * is refused like an uncached token (keys unavailable), as the promise says.
     */
    @Test
    void aHitNeedsAUsableKeySet() throws Exception {
        OrganizationTokenVerifier verifier = build(builder().jwksStaleFor(Duration.ZERO));
        String token = token();   // valid for an hour
        verifier.verify(token, REQUIRE_API);
        issuer.respondWithStatus(500);
        clock.advance(TTL.plusSeconds(1));   // fresh for 10 min, stale for nothing more: unusable
        assertEquals(RejectionReason.KEYS_UNAVAILABLE, assertThrows(TokenRejectedException.class,
                () -> verifier.verify(token, REQUIRE_API)).reason());
        issuer.respondNormally();
        clock.advance(COOLDOWN.plusSeconds(1));
        verifier.verify(token, REQUIRE_API);
    }

    /** The filter hands over the whole Authorization header with the token's offset: nothing is copied. */
    @Test
    void aTokenInsideLargerTextVerifiesInPlace() throws Exception {
        OrganizationTokenVerifier verifier = build(builder());
        String token = token();
        String header = "Bearer " + token;
        assertEquals(verifier.verify(token, REQUIRE_API).jwtId(), verifier.verify(header, 7, REQUIRE_API).jwtId());
        assertEquals(1, counters.tokenCacheHitCount(), "the same token, found in place");
        String other = "Bearer   " + token();
        verifier.verify(other, 9, REQUIRE_API);
        assertEquals(2, counters.tokenCacheMissCount());
        assertEquals(RejectionReason.MALFORMED_TOKEN, assertThrows(TokenRejectedException.class,
                () -> verifier.verify(header, header.length(), REQUIRE_API)).reason(), "nothing after the offset");
        assertEquals(RejectionReason.MALFORMED_TOKEN, assertThrows(TokenRejectedException.class,
                () -> verifier.verify("Bearer " + token.replace('.', '_'), 7, REQUIRE_API)).reason());
    }

    @Test
    void requirementsAreCheckedOnEveryCallEvenOnAHit() throws Exception {
        OrganizationTokenVerifier verifier = build(builder());
        String token = issuer.organizationResourceToken("user-1", API, "o1", "read:members").sign();
        Requirements readInO1 = Requirements.audience(API).organization("o1").scopes("read:members");
        verifier.verify(token, readInO1);

        TokenRejectedException scope = assertThrows(TokenRejectedException.class,
                () -> verifier.verify(token, Requirements.audience(API).organization("o1").scopes("invite:member")));
        assertEquals(RejectionReason.MISSING_SCOPES, scope.reason());
        assertEquals(java.util.Set.of("invite:member"), scope.missingScopes());
        assertEquals(RejectionReason.WRONG_ORGANIZATION, assertThrows(TokenRejectedException.class,
                () -> verifier.verify(token, Requirements.audience(API).organization("o2"))).reason());
        assertEquals(RejectionReason.WRONG_AUDIENCE, assertThrows(TokenRejectedException.class,
                () -> verifier.verify(token, Requirements.audience("https://api.example.com/other"))).reason());
        verifier.verify(token, readInO1);

        assertEquals(4, counters.tokenCacheHitCount(), "every call after the first was a hit");
        assertEquals(1, counters.tokenCacheMissCount());
        assertEquals(2, counters.acceptedCount());
        assertEquals(3, counters.rejectedCount());
    }

    @Test
    void withTheCacheOffEveryCallVerifiesAgainstTheKeys() throws Exception {
        OrganizationTokenVerifier uncached = build(builder().tokenCacheSize(0).jwksStaleFor(Duration.ZERO));
        OrganizationTokenVerifier cached = build(builder().jwksStaleFor(Duration.ZERO));
        String token = token();
        for (int i = 0; i < 3; i++) {
            uncached.verify(token, REQUIRE_API);
            cached.verify(token, REQUIRE_API);
        }
        assertEquals(2, counters.tokenCacheHitCount(), "only the caching verifier hits");
        assertEquals(4, counters.tokenCacheMissCount(), "every uncached call is a miss, plus the cached verifier's first");
        assertEquals(0, uncached.cachedTokenCount());

        // Keys become unavailable (no stale period, issuer down): both refuse. The caching verifier
        // used to answer from its cache; a hit now needs a usable key set (found in review).
        issuer.respondWithStatus(503);
        clock.advance(TTL.plusSeconds(1));
        assertEquals(RejectionReason.KEYS_UNAVAILABLE, rejected(uncached, token).reason());
        assertEquals(RejectionReason.KEYS_UNAVAILABLE, rejected(cached, token).reason());
        assertEquals(2, counters.tokenCacheHitCount());
    }

    @Test
    void aCachedTokenStillExpires() throws Exception {
        OrganizationTokenVerifier verifier = build(builder().clockSkew(Duration.ofSeconds(60)));
        String token = token();   // exp = now + 1 h
        verifier.verify(token, REQUIRE_API);

        clock.advance(Duration.ofHours(1).plusSeconds(59));   // inside the skew
        verifier.verify(token, REQUIRE_API);
        assertEquals(1, counters.tokenCacheHitCount());

        clock.advance(Duration.ofSeconds(1));                 // exp + skew
        TokenRejectedException e = rejected(verifier, token);
        assertEquals(RejectionReason.EXPIRED, e.reason());
        assertEquals(2, counters.tokenCacheHitCount(), "it was still cached, and refused anyway");
    }

    @Test
    void theCacheStaysWithinItsBound() throws Exception {
        issuer.rotateNow(KeyType.EC_P256);   // cheap signatures: 1,000 of them
        OrganizationTokenVerifier verifier = build(builder().tokenCacheSize(100));
        for (int i = 0; i < 1_000; i++) {
            verifier.verify(token(), REQUIRE_API);
        }
        assertEquals(1_000, counters.tokenCacheMissCount());
        long size = verifier.cachedTokenCount();
        assertTrue(size <= 100, "cached " + size + " tokens with a bound of 100");
        assertTrue(size > 0);
        assertEquals(1, issuer.jwksRequests());
    }
}
