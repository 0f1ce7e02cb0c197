package dev.orgtoken;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A token was refused. Carries a {@link RejectionReason}, a short description that is safe to
 * send to the client (fixed text; never the token, key material or a value taken from the
 * token), and for scope failures the scopes the requirement asked for.
 *
 * <p>It has no stack trace by design: rejections are routine, must be cheap under a flood of bad
 * tokens, and must never leak internals.
 */
public final class TokenRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the token was refused. */
    private final RejectionReason reason;
    /** The scopes the requirements demanded, for a 403's {@code scope} attribute. */
    private final Set<String> requiredScopes;
    /** The demanded scopes the token lacks. */
    private final Set<String> missingScopes;
    /** The authentic token that failed the call's requirements; null when the token itself was refused. */
    private final transient VerifiedToken refusedToken;

    /**
     * @param reason why
     * @param safeDescription fixed text for the client
     */
    public TokenRejectedException(RejectionReason reason, String safeDescription) {
        this(reason, safeDescription, Set.of(), Set.of());
    }

    /**
     * @param reason why
     * @param safeDescription fixed text for the client
     * @param requiredScopes the scopes the requirement asked for (for the {@code scope} attribute)
     * @param missingScopes the ones the token lacked
     */
    public TokenRejectedException(RejectionReason reason, String safeDescription, Set<String> requiredScopes,
            Set<String> missingScopes) {
        this(reason, safeDescription, requiredScopes, missingScopes, null);
    }

    /** A refusal of an authentic token by the call's requirements: the token is kept for audit logs. */
    TokenRejectedException(RejectionReason reason, String safeDescription, Set<String> requiredScopes,
            Set<String> missingScopes, VerifiedToken refusedToken) {
        super(safeDescription, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.requiredScopes = requiredScopes.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(new LinkedHashSet<>(requiredScopes));
        this.missingScopes = missingScopes.isEmpty() ? Set.of()
                : Collections.unmodifiableSet(new LinkedHashSet<>(missingScopes));
        this.refusedToken = refusedToken;
    }

    /** @return why the token was refused */
    public RejectionReason reason() {
        return reason;
    }

    /** @return the RFC 6750 class, which fixes the HTTP status */
    public ErrorCode errorCode() {
        return reason.errorCode();
    }

    /** @return the safe, short description (same as {@link #getMessage()}) */
    public String description() {
        return getMessage();
    }

    /** @return the scopes the failed requirement asked for; empty unless a scope check failed */
    public Set<String> requiredScopes() {
        return requiredScopes;
    }

    /** @return the required scopes the token lacked; empty unless a scope check failed */
    public Set<String> missingScopes() {
        return missingScopes;
    }

    /**
     * The token, when it was authentic (signature, issuer, type and time all checked) and only the
     * call's {@link Requirements} refused it (audience, tenant, organization, scopes, roles, actor,
     * client, subject kind): for audit logs, which want to say whose request was refused. Never the
     * token's text. Never treat it as accepted.
     *
     * @return the refused, authentic token; empty when the token itself was refused (malformed,
     *     forged, expired, unknown key, ...)
     */
    public Optional<VerifiedToken> refusedToken() {
        return Optional.ofNullable(refusedToken);
    }
}
