package dev.orgtoken;

import java.util.Optional;

/**
 * The RFC 6750 section 3.1 error codes, plus the one answer RFC 6750 has no code for: the
 * issuer's keys could not be obtained, which is the server's trouble, not the client's.
 */
public enum ErrorCode {
    /** {@code invalid_request}: 400. */
    INVALID_REQUEST("invalid_request", 400),
    /** {@code invalid_token}: 401. */
    INVALID_TOKEN("invalid_token", 401),
    /** {@code insufficient_scope}: 403. */
    INSUFFICIENT_SCOPE("insufficient_scope", 403),
    /** No RFC 6750 code: 503 with {@code Retry-After}, because retrying later can succeed. */
    KEYS_UNAVAILABLE(null, 503),
    /**
     * No RFC 6750 code: 503 with {@code Retry-After}: every signature check is taken (a flood of
     * new or forged tokens) and this one did not get a turn in time; retrying later can succeed.
     */
    VERIFICATION_BUSY(null, 503);

    private final String bearerError;
    private final int httpStatus;

    ErrorCode(String bearerError, int httpStatus) {
        this.bearerError = bearerError;
        this.httpStatus = httpStatus;
    }

    /** @return the {@code error} attribute for {@code WWW-Authenticate}, if RFC 6750 defines one */
    public Optional<String> bearerError() {
        return Optional.ofNullable(bearerError);
    }

    /** @return the HTTP status that answers this error */
    public int httpStatus() {
        return httpStatus;
    }
}
