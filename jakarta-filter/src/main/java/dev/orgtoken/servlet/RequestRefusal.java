package dev.orgtoken.servlet;

import dev.orgtoken.ErrorCode;

/**
 * Why the filter refused a request before any token was verified, each with the answer it really
 * gets (status, whether a {@code WWW-Authenticate} challenge is sent, and its RFC 6750 error).
 * Token refusals are {@link dev.orgtoken.RejectionReason}s, decided by the verifier. A closed set.
 */
public enum RequestRefusal {
    /** The raw path could be read two ways (encoded separators, dot segments, ...): 400, no challenge. */
    AMBIGUOUS_PATH(ErrorCode.INVALID_REQUEST, false),
    /** Malformed credentials (two headers, bad {@code Bearer} syntax, a query token where none is accepted): 400. */
    MALFORMED_REQUEST(ErrorCode.INVALID_REQUEST, true),
    /** A path segment a rule takes its organization or audience from is blank: 400. */
    BLANK_PATH_VALUE(ErrorCode.INVALID_REQUEST, true),
    /** No bearer token where one is required: 401 with a bare challenge, no {@code error} (RFC 6750 section 3.1). */
    MISSING_TOKEN(null, true),
    /** No rule covers the path, under {@code unmatched: deny}: 403, no challenge (no token would help). */
    NO_MATCHING_RULE(null, false),
    /** Rules cover the path, but none lists the method: 405 with {@code Allow}, no challenge. */
    METHOD_NOT_ALLOWED(null, false);

    private final ErrorCode errorCode;
    private final boolean challenge;

    RequestRefusal(ErrorCode errorCode, boolean challenge) {
        this.errorCode = errorCode;
        this.challenge = challenge;
    }

    /** @return the HTTP status the client gets */
    public int httpStatus() {
        return switch (this) {
            case AMBIGUOUS_PATH, MALFORMED_REQUEST, BLANK_PATH_VALUE -> 400;
            case MISSING_TOKEN -> 401;
            case NO_MATCHING_RULE -> 403;
            case METHOD_NOT_ALLOWED -> 405;
        };
    }

    /** @return the RFC 6750 {@code error} the client gets, or null when the answer carries none */
    public String bearerError() {
        return errorCode == null ? null : errorCode.bearerError().orElse(null);
    }

    /** @return whether the answer carries a {@code WWW-Authenticate: Bearer} challenge */
    public boolean challenges() {
        return challenge;
    }
}
