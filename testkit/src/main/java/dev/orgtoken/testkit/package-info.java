/**
 * A local, Logto-compatible OIDC issuer for tests and dev mode.
 *
 * <p>{@link dev.orgtoken.testkit.LogtoTestIssuer} serves a JWKS, a discovery document, a
 * {@code client_credentials} token endpoint and a small Management API stand-in on 127.0.0.1, and mints
 * access tokens shaped exactly like Logto 1.37.1's ({@link dev.orgtoken.testkit.TokenBuilder}). Keys
 * ({@link dev.orgtoken.testkit.SigningKey}, {@link dev.orgtoken.testkit.KeyType}) can be rotated,
 * staged and removed, and the key endpoints can be made to fail, so verifiers can be tested against
 * real HTTP and real signatures.
 */
package dev.orgtoken.testkit;
