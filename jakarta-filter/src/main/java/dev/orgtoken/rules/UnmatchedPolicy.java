package dev.orgtoken.rules;

/**
 * What happens to a request that no rule matches.
 *
 * <p>In the rules file this is the top-level {@code unmatched} key, written in lower case.
 */
public enum UnmatchedPolicy {
    /** Refuse the request without looking at any token (the default). */
    DENY("deny"),
    /** Require a valid token for the rule set's default audience; no scopes, no organization. */
    AUTHENTICATED("authenticated"),
    /** Let the request through without a token. */
    PUBLIC("public");

    private final String fileValue;

    UnmatchedPolicy(String fileValue) {
        this.fileValue = fileValue;
    }

    /**
     * The spelling used in the rules file.
     *
     * @return {@code deny}, {@code authenticated} or {@code public}
     */
    public String fileValue() {
        return fileValue;
    }
}
