package dev.orgtoken.m2m;

import java.util.Optional;

/**
 * The token endpoint refused a client-credentials request, or could not be reached. Carries
 * Logto's error fields ({@code error}, {@code error_description}, {@code code}, {@code message})
 * when it answered with them. The message never contains the client secret or a token.
 */
public final class TokenRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final String errorDescription;
    private final String code;
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
