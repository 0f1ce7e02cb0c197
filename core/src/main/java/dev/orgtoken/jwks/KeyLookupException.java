package dev.orgtoken.jwks;

/** No key could be found for a token's {@code kid}. */
public final class KeyLookupException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean keysUnavailable;

    KeyLookupException(boolean keysUnavailable, String safeMessage) {
        super(safeMessage, null, false, false);
        this.keysUnavailable = keysUnavailable;
    }

    /**
     * @return true when no key set could be obtained at all (the issuer is unreachable and
     *     nothing usable is cached); false when a set is available but lacks this kid
     */
    public boolean keysUnavailable() {
        return keysUnavailable;
    }
}
