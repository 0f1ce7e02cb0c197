package dev.orgtoken.testkit;

/**
 * The kinds of signing key the test issuer can hold, each with the JWS algorithm Logto signs with.
 *
 * <p>Logto's default is an EC P-384 key ({@code ES384}); its RSA keys sign {@code RS256} and are
 * published without an {@code alg} member.
 */
public enum KeyType {
    /** EC key on P-256, signs ES256. */
    EC_P256("ES256", "P-256", 256),
    /** EC key on P-384, signs ES384 (Logto's default). */
    EC_P384("ES384", "P-384", 384),
    /** EC key on P-521, signs ES512. */
    EC_P521("ES512", "P-521", 521),
    /** 2048-bit RSA key, signs RS256. */
    RSA_2048("RS256", null, 2048),
    /** 4096-bit RSA key, signs RS256 (what Logto's "rotate to RSA" produces). */
    RSA_4096("RS256", null, 4096);

    private final String algorithm;
    private final String curve;
    private final int bits;

    KeyType(String algorithm, String curve, int bits) {
        this.algorithm = algorithm;
        this.curve = curve;
        this.bits = bits;
    }

    /**
     * The JWS algorithm tokens signed with this kind of key carry.
     *
     * @return {@code ES256}, {@code ES384}, {@code ES512} or {@code RS256}
     */
    public String algorithm() {
        return algorithm;
    }

    /**
     * Whether this is an elliptic-curve key.
     *
     * @return {@code true} for the EC types
     */
    public boolean isEc() {
        return curve != null;
    }

    /**
     * The JWK curve name ({@code crv}) of an EC key.
     *
     * @return {@code P-256}, {@code P-384} or {@code P-521}; {@code null} for RSA
     */
    public String curve() {
        return curve;
    }

    /**
     * The key size in bits (the curve size for EC keys, the modulus size for RSA keys).
     *
     * @return the key size
     */
    public int bits() {
        return bits;
    }
}
