package dev.orgtoken.jws;

/**
 * A token that is not an acceptable JWS. The message is fixed text chosen by this library and
 * never contains token content, so it is safe to show to a client.
 */
public final class JwsException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong with the JWS. */
    public enum Failure {
        /** Not a well-formed compact JWS (segments, encoding, JSON). */
        MALFORMED,
        /** Longer than the configured maximum; refused before decoding. */
        TOO_LARGE,
        /** {@code alg} missing, {@code none}, symmetric, or outside the allow-list. */
        UNSUPPORTED_ALGORITHM,
        /** A header this library refuses: {@code crit}, {@code b64}, {@code jwk}, {@code jku}, ... */
        UNSUPPORTED_HEADER,
        /** {@code typ} is not {@code at+jwt}. */
        WRONG_TYPE,
        /** {@code kid} missing or not a string. */
        MISSING_KEY_ID,
        /** The algorithm does not fit the key (type, curve, size, the JWK's {@code alg}). */
        KEY_MISMATCH,
        /** The signature does not verify. */
        BAD_SIGNATURE
    }

    /** What failed. */
    private final Failure failure;

    /**
     * @param failure what was wrong
     * @param safeMessage fixed text, never token content
     */
    public JwsException(Failure failure, String safeMessage) {
        // No stack trace: rejections are routine, cheap, and must never leak internals.
        super(safeMessage, null, false, false);
        this.failure = failure;
    }

    /** @return what was wrong */
    public Failure failure() {
        return failure;
    }
}
