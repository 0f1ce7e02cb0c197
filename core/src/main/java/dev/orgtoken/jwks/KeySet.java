package dev.orgtoken.jwks;

import java.time.Instant;
import java.util.Map;

/**
 * An immutable snapshot of the trusted keys, with how long it is fresh and how long it may still
 * be used while refreshes fail.
 *
 * @param keys the usable keys by kid; empty when the issuer published none we can use
 * @param etag the server's {@code ETag}, for the next conditional request; null when none
 * @param freshUntil until when no refresh is needed
 * @param usableUntil until when the set is used at all
 */
record KeySet(Map<String, VerificationKey> keys, String etag, Instant freshUntil, Instant usableUntil) {}
