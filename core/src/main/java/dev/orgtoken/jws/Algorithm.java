package dev.orgtoken.jws;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Optional;
import org.jose4j.keys.EllipticCurves;

/**
 * Internal: the asymmetric JWS algorithms this library can verify, each with the only key shape it
 * accepts. The public face is {@link dev.orgtoken.JwsAlgorithm}, which names the same constants;
 * this internal twin keeps the key rules out of the API, and keeps the internal packages from
 * depending on the API package (no package cycle).
 *
 * <p>Symmetric ({@code HS*}) and {@code none} are deliberately absent: a resource server that
 * trusts a public JWKS must never accept a MAC keyed with public material.
 */
public enum Algorithm {
    /** ECDSA on P-256 with SHA-256. */
    ES256("EC", EllipticCurves.P_256),
    /** ECDSA on P-384 with SHA-384: Logto's default. */
    ES384("EC", EllipticCurves.P_384),
    /** ECDSA on P-521 with SHA-512. */
    ES512("EC", EllipticCurves.P_521),
    /** RSASSA-PKCS1-v1_5 with SHA-256: what Logto's RSA keys sign with. */
    RS256("RSA", null),
    /** RSASSA-PKCS1-v1_5 with SHA-384. */
    RS384("RSA", null),
    /** RSASSA-PKCS1-v1_5 with SHA-512. */
    RS512("RSA", null),
    /** RSASSA-PSS with SHA-256. */
    PS256("RSA", null),
    /** RSASSA-PSS with SHA-384. */
    PS384("RSA", null),
    /** RSASSA-PSS with SHA-512. */
    PS512("RSA", null);

    /** RSA keys shorter than this are refused (RFC 7518 section 3.3). */
    public static final int MIN_RSA_BITS = 2048;

    private final String keyType;
    private final String curve;

    Algorithm(String keyType, String curve) {
        this.keyType = keyType;
        this.curve = curve;
    }

    /**
     * The algorithm with this exact JWS name ({@code "ES384"}); case matters, as in RFC 7518.
     *
     * @param name the {@code alg} value
     * @return the algorithm, or empty when the name is not one we verify
     */
    public static Optional<Algorithm> named(String name) {
        if (name == null) {
            return Optional.empty();
        }
        for (Algorithm a : values()) {
            if (a.name().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** @return the JWK {@code kty} this algorithm needs: {@code EC} or {@code RSA} */
    public String keyType() {
        return keyType;
    }

    /** @return the JWK curve name ({@code P-384}) for ECDSA, empty for RSA */
    public Optional<String> curve() {
        return Optional.ofNullable(curve);
    }

    /**
     * Whether this algorithm may verify with this key: the key type, the curve and the RSA
     * modulus size must all fit. A P-256 key can never verify an ES384 signature, and so on.
     *
     * @param key a public key
     * @return true when the pair is coherent
     */
    public boolean fits(PublicKey key) {
        if ("EC".equals(keyType)) {
            return key instanceof ECPublicKey ec
                    && curve.equals(EllipticCurves.getName(ec.getParams().getCurve()));
        }
        return key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() >= MIN_RSA_BITS;
    }
}
