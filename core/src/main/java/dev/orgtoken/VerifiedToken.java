package dev.orgtoken;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A token whose signature, issuer, type and structure were verified, and which met the
 * requirements of the call that returned it. Immutable and safe to share between threads.
 *
 * <p>{@link #toString()} names the subject, organization and scopes, never the token itself.
 */
public final class VerifiedToken {
    private final String tenant;
    private final String issuer;
    private final String subject;
    private final String clientId;
    private final String organizationId;
    private final List<String> audiences;
    private final Set<String> scopes;
    private final Set<String> roles;
    private final long expiresAtSecond;
    private final Long issuedAtSecond;
    private final Long notBeforeSecond;
    private final String jwtId;
    private final String keyId;
    private final Map<String, Object> claims;

    VerifiedToken(String tenant, String issuer, String subject, String clientId, String organizationId,
            List<String> audiences, Set<String> scopes, Set<String> roles, long expiresAtSecond, Long issuedAtSecond,
            Long notBeforeSecond, String jwtId, String keyId, Map<String, Object> claims) {
        this.tenant = tenant;
        this.issuer = issuer;
        this.subject = subject;
        this.clientId = clientId;
        this.organizationId = organizationId;
        this.audiences = audiences;
        this.scopes = scopes;
        this.roles = roles;
        this.expiresAtSecond = expiresAtSecond;
        this.issuedAtSecond = issuedAtSecond;
        this.notBeforeSecond = notBeforeSecond;
        this.jwtId = jwtId;
        this.keyId = keyId;
        this.claims = claims;
    }

    /**
     * The tenant whose issuer signed this token: the name given to
     * {@link OrganizationTokenVerifier.Builder#tenant}, or {@value TenantSettings#DEFAULT_TENANT}.
     *
     * @return the tenant's name
     */
    public String tenant() {
        return tenant;
    }

    /** @return {@code iss} */
    public String issuer() {
        return issuer;
    }

    /** @return {@code sub}: a user id, or the client id of a machine-to-machine token */
    public String subject() {
        return subject;
    }

    /** @return {@code client_id}, when present */
    public Optional<String> clientId() {
        return Optional.ofNullable(clientId);
    }

    /**
     * @return the organization: {@code organization_id}, or the id in an
     *     {@code urn:logto:organization:<id>} audience; empty for a global token
     */
    public Optional<String> organizationId() {
        return Optional.ofNullable(organizationId);
    }

    /** @return {@code aud} as a list (a single string becomes a one-element list) */
    public List<String> audiences() {
        return audiences;
    }

    /** @return the granted scopes; empty when {@code scope} was missing or {@code ""} */
    public Set<String> scopes() {
        return scopes;
    }

    /**
     * @param scope a scope name
     * @return true when granted (exact comparison)
     */
    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    /**
     * The roles in the claim {@link OrganizationTokenVerifier.Builder#rolesClaim} names (a tenant's
     * custom JWT claims script writes them; Logto puts none in access tokens by itself). A string is
     * one role; an array of strings is several. Scopes are not roles.
     *
     * @return the roles; empty when no roles claim is configured, or the token's is missing or
     *     ill-typed (never an error)
     */
    public Set<String> roles() {
        return roles;
    }

    /**
     * @param role a role name
     * @return true when the token's roles claim holds it (exact comparison)
     */
    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /** @return {@code exp} */
    public Instant expiresAt() {
        return Instant.ofEpochSecond(expiresAtSecond);
    }

    /** @return {@code iat}, when present */
    public Optional<Instant> issuedAt() {
        return Optional.ofNullable(issuedAtSecond).map(Instant::ofEpochSecond);
    }

    /** @return {@code nbf}, when present (Logto sends none) */
    public Optional<Instant> notBefore() {
        return Optional.ofNullable(notBeforeSecond).map(Instant::ofEpochSecond);
    }

    /** @return {@code jti}, when present */
    public Optional<String> jwtId() {
        return Optional.ofNullable(jwtId);
    }

    /** @return the {@code kid} of the key that verified the signature */
    public String keyId() {
        return keyId;
    }

    /**
     * @return true for a machine-to-machine (client credentials) token: {@code sub == client_id}
     */
    public boolean isMachineToMachine() {
        return clientId != null && clientId.equals(subject);
    }

    /**
     * The party acting for the subject, from an RFC 8693 token-exchange (impersonation) token: the
     * {@code sub} of the {@code act} claim. Logto puts the actor token's subject there, for example a
     * support agent acting as {@link #subject()}. Only the immediate actor is read; a claim of another
     * shape ({@code act} not an object, or its {@code sub} missing, empty or not a string) means no
     * actor, never an error: the token was still signed by a trusted issuer, and the subject is still
     * who the token speaks for.
     *
     * @return the immediate actor's subject, or empty for an ordinary token
     */
    public Optional<String> actor() {
        // Read on demand from the claims map rather than kept in a field: a cached token costs no more.
        if (claims.get("act") instanceof Map<?, ?> act && act.get("sub") instanceof String sub && !sub.isEmpty()) {
            return Optional.of(sub);
        }
        return Optional.empty();
    }

    /**
     * The whole chain of actors of a token-exchange token (RFC 8693 section 4.1): the immediate actor
     * first ({@code act.sub}), then whoever it acted for ({@code act.act.sub}), and so on. The chain
     * ends at the first level that is not an object with a non-empty string {@code sub}.
     *
     * @return the actors, immediate first; empty for an ordinary token
     */
    public List<String> actorChain() {
        List<String> chain = new java.util.ArrayList<>(2);
        Object act = claims.get("act");
        while (act instanceof Map<?, ?> level && level.get("sub") instanceof String sub && !sub.isEmpty()) {
            chain.add(sub);
            act = level.get("act");   // nesting is bounded: claims deeper than 32 levels were refused
        }
        return List.copyOf(chain);
    }

    /**
     * @param name a claim name
     * @return the claim's value as parsed from JSON (String, Long, Double, Boolean, List, Map;
     *     lists and maps are unmodifiable), or empty
     */
    public Optional<Object> claim(String name) {
        return Optional.ofNullable(claims.get(name));
    }

    /** @return every claim, unmodifiable */
    public Map<String, Object> claims() {
        return claims;
    }

    long expiresAtSecond() {
        return expiresAtSecond;
    }

    Long issuedAtSecond() {
        return issuedAtSecond;
    }

    Long notBeforeSecond() {
        return notBeforeSecond;
    }

    @Override
    public String toString() {
        return "VerifiedToken[tenant=" + tenant + ", subject=" + subject + actor().map(a -> ", actor=" + a).orElse("") + ", organization="
                + organizationId + ", scopes=" + scopes + ", m2m=" + isMachineToMachine() + ", expiresAt=" + expiresAt()
                + "]";
    }
}
