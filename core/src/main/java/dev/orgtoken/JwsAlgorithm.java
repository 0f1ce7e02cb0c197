package dev.orgtoken;

import dev.orgtoken.jws.Algorithm;
import java.util.Optional;

/**
 * The asymmetric JWS algorithms the verifier can accept, for its allow-list
 * ({@link OrganizationTokenVerifier.Builder#allowedAlgorithms}). Logto signs with ES384 by
 * default, ES256 or ES512 for P-256 or P-521 keys, and RS256 for RSA keys.
 *
 * <p>Symmetric ({@code HS*}) and {@code none} are deliberately absent: a resource server that
 * trusts a public JWKS must never accept a MAC keyed with public material. Each algorithm only
 * ever verifies with its own key shape (key type, curve, RSA of 2048 bits or more).
 */
public enum JwsAlgorithm {
    /** ECDSA on P-256 with SHA-256. */
    ES256,
    /** ECDSA on P-384 with SHA-384: Logto's default. */
    ES384,
    /** ECDSA on P-521 with SHA-512. */
    ES512,
    /** RSASSA-PKCS1-v1_5 with SHA-256: what Logto's RSA keys sign with. */
    RS256,
    /** RSASSA-PKCS1-v1_5 with SHA-384. */
    RS384,
    /** RSASSA-PKCS1-v1_5 with SHA-512. */
    RS512,
    /** RSASSA-PSS with SHA-256. */
    PS256,
    /** RSASSA-PSS with SHA-384. */
    PS384,
    /** RSASSA-PSS with SHA-512. */
    PS512;

    /**
     * The algorithm with this exact JWS name ({@code "ES384"}); case matters, as in RFC 7518.
     *
     * @param name the {@code alg} value
     * @return the algorithm, or empty when the name is not one we verify
     */
    public static Optional<JwsAlgorithm> named(String name) {
        return Algorithm.named(name).map(a -> valueOf(a.name()));
    }

    /** The internal twin that knows each algorithm's key shape. */
    Algorithm internal() {
        return Algorithm.valueOf(name());
    }
}
