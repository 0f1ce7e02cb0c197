package dev.orgtoken.m2m;

import java.util.Optional;

/**
 * The token endpoint refused a client-credentials request, or could not be reached. Carries
 * Logto's error fields ({@code error}, {@code error_description}, {@code code}, {@code message})
 * when it answered with them. The message never contains the client secret or a token.
 */
public final class TokenRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The token endpoint's HTTP status, or 0 when no answer came. */
    private final int status;
    /** The OAuth {@code error}, or null. */
    private final String error;
    /** The OAuth {@code error_description}, or null. */
    private final String errorDescription;
    /** Logto's own {@code code}, or null. */
    private final String code;
    /** Logto's own {@code message}, or null. */
    private final String logtoMessage;

    TokenRequestException(String message, int status, String error, String errorDescription, String code,
            String logtoMessage, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.error = error;
        this.errorDescription = errorDescription;
        this.code = code;
        this.logtoMessage = logtoMessage;
    }

    /** @return the HTTP status, or 0 when the endpoint could not be reached */
    public int status() {
        return status;
    }

    /** @return the OAuth {@code error}, such as {@code access_denied} */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** @return the OAuth {@code error_description}, such as "app has not associated with the organization" */
    public Optional<String> errorDescription() {
        return Optional.ofNullable(errorDescription);
    }

    /** @return Logto's {@code code}, such as {@code oidc.access_denied} */
    public Optional<String> code() {
        return Optional.ofNullable(code);
    }

    /** @return Logto's {@code message}, such as "Access denied." */
    public Optional<String> logtoMessage() {
        return Optional.ofNullable(logtoMessage);
    }
}
