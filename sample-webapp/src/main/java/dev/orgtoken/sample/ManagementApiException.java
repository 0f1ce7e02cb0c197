package dev.orgtoken.sample;

/** The Management API (or its token endpoint) refused or could not be reached. */
final class ManagementApiException extends Exception {
    private static final long serialVersionUID = 1L;

    ManagementApiException(String message, Throwable cause) {
        super(message, cause);
    }
}
