package dev.orgtoken;

/**
 * Why a token was refused. A closed set: switch over it freely. Each reason belongs to exactly
 * one {@link ErrorCode}, which fixes the HTTP answer. (Refusals of the request itself, decided
 * before any token is read, belong to the servlet layer: {@code dev.orgtoken.servlet.RequestRefusal}.)
 */
public enum RejectionReason {
    /** Not a well-formed compact JWS or JWT. */
    MALFORMED_TOKEN(ErrorCode.INVALID_TOKEN),
    /**
     * An opaque access token: a Logto reference token (43 characters of base64url, no dots), which
     * Logto issues when no API resource was requested. Only the issuer can read it; the client must
     * request a JWT access token for an API resource ({@code resource=...}). Refused without any
     * network call.
     */
    OPAQUE_TOKEN(ErrorCode.INVALID_TOKEN),
    /** Longer than the configured maximum; refused before decoding. */
    TOKEN_TOO_LARGE(ErrorCode.INVALID_TOKEN),
    /** {@code alg} is not on the allow-list. */
    UNSUPPORTED_ALGORITHM(ErrorCode.INVALID_TOKEN),
    /** A refused header: {@code crit}, {@code b64}, {@code jwk}, {@code jku}, {@code x5u}, {@code x5c}, ... */
    UNSUPPORTED_HEADER(ErrorCode.INVALID_TOKEN),
    /** {@code typ} is not {@code at+jwt} (an ID token replayed as an access token, for one). */
    WRONG_TYPE(ErrorCode.INVALID_TOKEN),
    /** No key in the issuer's key set has the token's {@code kid}. */
    UNKNOWN_KEY(ErrorCode.INVALID_TOKEN),
    /** The algorithm does not fit the key (type, curve, RSA size, the JWK's {@code alg}). */
    KEY_MISMATCH(ErrorCode.INVALID_TOKEN),
    /** The signature does not verify. */
    BAD_SIGNATURE(ErrorCode.INVALID_TOKEN),
    /** {@code iss} is not one of the configured issuers (of any tenant). */
    WRONG_ISSUER(ErrorCode.INVALID_TOKEN),
    /**
     * The token comes from a configured tenant, but not one this call accepts
     * ({@link Requirements#tenants}): like a wrong issuer, a token from the right tenant is needed.
     */
    WRONG_TENANT(ErrorCode.INVALID_TOKEN),
    /** A claim is missing or has the wrong type or an impossible value. */
    INVALID_CLAIM(ErrorCode.INVALID_TOKEN),
    /** {@code exp} has passed (beyond the clock skew). */
    EXPIRED(ErrorCode.INVALID_TOKEN),
    /** {@code nbf} is still in the future (beyond the clock skew). */
    NOT_YET_VALID(ErrorCode.INVALID_TOKEN),
    /** {@code iat} is in the future (beyond the clock skew). */
    ISSUED_IN_FUTURE(ErrorCode.INVALID_TOKEN),
    /**
     * The token is sender-constrained ({@code cnf}: DPoP, RFC 9449, or mutual TLS, RFC 8705) and
     * this verifier cannot check the proof of possession, so it is not accepted as a bearer token.
     */
    SENDER_CONSTRAINED(ErrorCode.INVALID_TOKEN),
    /** {@code aud} does not contain the required audience. */
    WRONG_AUDIENCE(ErrorCode.INVALID_TOKEN),
    /** The token carries no organization, and one is required. */
    MISSING_ORGANIZATION(ErrorCode.INSUFFICIENT_SCOPE),
    /** The token is for a different organization than the one required. */
    WRONG_ORGANIZATION(ErrorCode.INSUFFICIENT_SCOPE),
    /** Required scopes are missing. */
    MISSING_SCOPES(ErrorCode.INSUFFICIENT_SCOPE),
    /** Required roles are missing from the token's roles claim ({@link Requirements#roles}). */
    MISSING_ROLES(ErrorCode.INSUFFICIENT_SCOPE),
    /** The token carries an actor ({@code act}) and this call refuses impersonation ({@link Requirements.ActorPolicy#DENY}). */
    ACTOR_NOT_ALLOWED(ErrorCode.INSUFFICIENT_SCOPE),
    /** The token has no actor and this call requires one ({@link Requirements.ActorPolicy#REQUIRE}). */
    ACTOR_REQUIRED(ErrorCode.INSUFFICIENT_SCOPE),
    /** The token's {@code client_id} is missing or not on this call's allow-list ({@link Requirements#clients}). */
    CLIENT_NOT_ALLOWED(ErrorCode.INSUFFICIENT_SCOPE),
    /** A user token where a machine-to-machine token is required, or the other way round ({@link Requirements#subject}). */
    WRONG_SUBJECT_KIND(ErrorCode.INSUFFICIENT_SCOPE),
    /** No key set could be obtained at all: the issuer is unreachable and nothing usable is cached. */
    KEYS_UNAVAILABLE(ErrorCode.KEYS_UNAVAILABLE),
    /**
     * The token is not cached and every signature check was taken for the whole wait (a flood of
     * new or forged tokens): refused before its signature was checked, so not a verdict on it.
     */
    VERIFICATION_BUSY(ErrorCode.VERIFICATION_BUSY);

    private final ErrorCode errorCode;

    RejectionReason(ErrorCode errorCode) {
        this.errorCode = errorCode;
    }

    /** @return the RFC 6750 class of this reason */
    public ErrorCode errorCode() {
        return errorCode;
    }
}
