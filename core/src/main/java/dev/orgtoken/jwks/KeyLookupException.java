package dev.orgtoken.jwks;

/** No key could be found for a token's {@code kid}. */
public final class KeyLookupException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why no key was found. */
    public enum Reason {
        /**
         * No key set could be obtained at all: the issuer is unreachable and nothing usable is
         * cached. Retrying later can succeed.
         */
        KEYS_UNAVAILABLE,
        /** A key set is available, and it has no key with this kid. */
        UNKNOWN_KEY
    }

    /** Why no key was found. */
    private final Reason reason;

    KeyLookupException(Reason reason, String safeMessage) {
        super(safeMessage, null, false, false);
        this.reason = reason;
    }

    /** @return why no key was found */
    public Reason reason() {
        return reason;
    }
}
