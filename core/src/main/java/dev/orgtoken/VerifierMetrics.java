package dev.orgtoken;

import java.time.Duration;

/**
 * Counters the verifier (and the servlet filter) report to. Every method has an empty default,
 * so a bridge to Micrometer or JMX implements only what it needs. Methods are called on request
 * and fetch threads: keep them non-blocking. {@link VerifierCounters} is a ready implementation.
 */
public interface VerifierMetrics {
    /** A token passed verification and the call's requirements. */
    default void accepted() {}

    /**
     * A token or request was refused.
     *
     * @param reason why
     */
    default void rejected(RejectionReason reason) {}

    /** A JWKS fetch returned a usable key set (200). */
    default void jwksFetched() {}

    /** A JWKS fetch returned 304 Not Modified. */
    default void jwksNotModified() {}

    /** A JWKS fetch failed. */
    default void jwksFetchFailed() {}

    /** The verified-token cache answered, so no signature was checked. */
    default void tokenCacheHit() {}

    /** The verified-token cache missed, so the signature was checked. */
    default void tokenCacheMiss() {}

    /**
     * A token the verified-token cache did not hold passed its signature and claim checks: the
     * cold path. Called once per such token, after {@link #tokenCacheMiss()}, with the time the
     * verifier spent parsing, fetching or finding the key, and checking the signature and claims.
     * Tokens refused on the cold path are not timed (many are refused before any signature check).
     *
     * @param elapsed the time the cold verification took
     */
    default void coldVerification(Duration elapsed) {}

    /** Reports nowhere. */
    VerifierMetrics NONE = new VerifierMetrics() {};
}
