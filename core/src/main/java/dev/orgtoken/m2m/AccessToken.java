package dev.orgtoken.m2m;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * An access token obtained with client credentials. {@link #toString()} never shows the value.
 *
 * @param value the bearer token; send it as {@code Authorization: Bearer <value>}
 * @param tokenType the token type, normally {@code Bearer}
 * @param expiresAt when the token endpoint said it expires
 * @param scopes the scopes granted (may be fewer than requested)
 */
public record AccessToken(String value, String tokenType, Instant expiresAt, Set<String> scopes) {
    /**
     * Checks the components.
     *
     * @param value the bearer token
     * @param tokenType the token type
     * @param expiresAt when it expires
     * @param scopes the scopes granted
     */
    public AccessToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(tokenType, "tokenType");
        Objects.requireNonNull(expiresAt, "expiresAt");
        scopes = Set.copyOf(scopes);
    }

    /** @return the {@code Authorization} header value: {@code Bearer <value>} */
    public String authorizationHeader() {
        return "Bearer " + value;
    }

    @Override
    public String toString() {
        return "AccessToken[tokenType=" + tokenType + ", expiresAt=" + expiresAt + ", scopes=" + scopes + ", value=<redacted>]";
    }
}
