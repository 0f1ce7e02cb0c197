package dev.orgtoken.rules;

/**
 * What the filter does with a browser's CORS preflight: an {@code OPTIONS} request with
 * {@code Origin} and {@code Access-Control-Request-Method}, and no credentials at all (no
 * {@code Authorization}, no cookie, no {@code access_token}). Browsers never send credentials on a
 * preflight, so a protected path always refuses one under the rules alone.
 *
 * <p>In the rules file this is the top-level {@code cors-preflight} key, written in lower case.
 */
public enum CorsPreflight {
    /**
     * Decide preflights by the rules, like every other request (the default): a preflight to a
     * protected path is refused (401, or 405 when no rule lists {@code OPTIONS}). Right when the CORS
     * handler runs in front of the filter (it answers preflights itself), or when nothing should
     * answer them. Fail closed: an unauthenticated {@code OPTIONS} never reaches application code
     * unless the rules say so.
     */
    REFUSE("refuse"),
    /**
     * Hand exactly-shaped preflights (a REQUEST dispatch, before any rule is tried) to what follows
     * the filter, without a principal, for the application's CORS handling behind it to answer
     * (Tomcat's {@code CorsFilter} mapped after the filter, a framework's CORS support in its
     * servlet). Anything else about {@code OPTIONS} stays as the rules say.
     */
    PASS("pass");

    private final String fileValue;

    CorsPreflight(String fileValue) {
        this.fileValue = fileValue;
    }

    /**
     * The spelling used in the rules file.
     *
     * @return {@code refuse} or {@code pass}
     */
    public String fileValue() {
        return fileValue;
    }
}
