/**
 * Internal: fetching, caching, refreshing and selecting the issuer's keys. Public only so the
 * verifier in {@code dev.orgtoken} can use it; not part of the supported API.
 */
package dev.orgtoken.jwks;
