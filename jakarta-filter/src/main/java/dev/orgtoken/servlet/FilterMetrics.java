package dev.orgtoken.servlet;

/**
 * Where the filter counts the refusals it decides itself, before any token is verified (the
 * verifier counts its own in {@link dev.orgtoken.VerifierMetrics}). Methods are called on request
 * threads: keep them non-blocking. {@link FilterCounters} is a ready implementation.
 */
public interface FilterMetrics {
    /**
     * The filter refused a request.
     *
     * @param reason why, as the client saw it
     */
    default void refused(RequestRefusal reason) {}

    /** The filter handed a CORS preflight on to the application ({@code cors-preflight: pass}). */
    default void preflightPassed() {}

    /** Counts nothing. */
    FilterMetrics NONE = new FilterMetrics() {};
}
