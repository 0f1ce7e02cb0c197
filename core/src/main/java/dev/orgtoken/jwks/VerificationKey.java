package dev.orgtoken.jwks;

import dev.orgtoken.jws.Algorithm;
import java.security.PublicKey;
import java.util.Optional;

/**
 * One signature-verification key from the JWKS, validated when the set was loaded.
 *
 * @param keyId the JWK {@code kid}
 * @param publicKey the public key (EC on P-256/384/521, or RSA of at least 2048 bits)
 * @param declaredAlgorithm the JWK's {@code alg}, or null when it has none (Logto's RSA keys)
 */
public record VerificationKey(String keyId, PublicKey publicKey, Algorithm declaredAlgorithm) {

    /** @return the JWK's {@code alg}, when it declared one */
    public Optional<Algorithm> algorithm() {
        return Optional.ofNullable(declaredAlgorithm);
    }

    /**
     * Same key material, same declared algorithm. Used to notice a {@code kid} that came back
     * with a different key, which must invalidate what was verified under the old one.
     *
     * @param other another key
     * @return true when interchangeable
     */
    boolean sameKeyAs(VerificationKey other) {
        return keyId.equals(other.keyId)
                && declaredAlgorithm == other.declaredAlgorithm
                && publicKey.equals(other.publicKey);
    }
}
