package dev.orgtoken.servlet;

import dev.orgtoken.VerifiedToken;
import java.security.Principal;
import java.util.Objects;

/**
 * The principal of a request that passed with a token: named by the token's subject (a user id,
 * or the client id of a machine-to-machine token), carrying the whole {@link VerifiedToken}.
 */
public final class TokenPrincipal implements Principal {
    private final VerifiedToken token;

    /**
     * @param token the verified token
     */
    public TokenPrincipal(VerifiedToken token) {
        this.token = Objects.requireNonNull(token, "token");
    }

    /** @return the token's subject */
    @Override
    public String getName() {
        return token.subject();
    }

    /** @return the verified token */
    public VerifiedToken token() {
        return token;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenPrincipal p && p.token.equals(token);
    }

    @Override
    public int hashCode() {
        return token.hashCode();
    }

    @Override
    public String toString() {
        return "TokenPrincipal[" + token.subject() + "]";
    }
}
