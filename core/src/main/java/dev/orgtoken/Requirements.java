package dev.orgtoken;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What one call of {@link OrganizationTokenVerifier#verify} demands of a token beyond validity:
 * an audience (always), optionally an organization, and a set of scopes that must all be granted.
 * Immutable; each method returns a new instance, so shared constants are safe.
 *
 * <pre>{@code
 * Requirements.audience("https://api.example.com/org").organization("o1").scopes("read:members")
 * Requirements.organizationPermissions("o1").scopes("manage:settings")   // aud urn:logto:organization:o1
 * Requirements.audience("https://api.example.com/org").anyOrganization()
 * }</pre>
 *
 * <p>Why an organization requirement matters with Logto: a user token for an organization-level
 * resource requested <em>without</em> {@code organization_id} can carry that resource's scopes
 * from all of the user's organizations. An endpoint that acts on one organization must require
 * that organization, or it grants scopes the user holds somewhere else.
 */
public final class Requirements {
    /** The audience prefix of Logto organization tokens: {@code urn:logto:organization:<id>}. */
    public static final String ORGANIZATION_AUDIENCE_PREFIX = "urn:logto:organization:";

    /** How the token's organization is constrained. */
    public enum OrganizationConstraint {
        /** No constraint: a token with or without an organization passes. */
        NONE,
        /** The token must carry some organization. */
        ANY,
        /** The token's organization must equal {@link #requiredOrganization()}. */
        EXACT
    }

    private final String audience;
    private final OrganizationConstraint organizationConstraint;
    private final String organizationId;
    private final Set<String> scopes;

    private Requirements(String audience, OrganizationConstraint constraint, String organizationId, Set<String> scopes) {
        this.audience = audience;
        this.organizationConstraint = constraint;
        this.organizationId = organizationId;
        this.scopes = scopes;
    }

    /**
     * The token's {@code aud} (string or array) must contain this audience, compared exactly.
     *
     * @param audience an API resource indicator, or {@code urn:logto:organization:<id>}
     * @return requirements with only this audience
     */
    public static Requirements audience(String audience) {
        return new Requirements(nonBlank(audience, "audience"), OrganizationConstraint.NONE, null, Set.of());
    }

    /**
     * A Logto organization token for this organization: audience
     * {@code urn:logto:organization:<id>}, and the token's organization must be {@code id}.
     *
     * @param organizationId the organization
     * @return requirements for an organization-permission token
     */
    public static Requirements organizationPermissions(String organizationId) {
        String id = nonBlank(organizationId, "organizationId");
        return audience(ORGANIZATION_AUDIENCE_PREFIX + id).organization(id);
    }

    /**
     * The token's organization ({@code organization_id}, or the id in an
     * {@code urn:logto:organization:} audience) must equal this one exactly.
     *
     * @param organizationId the organization the request addresses
     * @return new requirements
     */
    public Requirements organization(String organizationId) {
        return new Requirements(audience, OrganizationConstraint.EXACT, nonBlank(organizationId, "organizationId"), scopes);
    }

    /**
     * The token must carry some organization, whichever it is.
     *
     * @return new requirements
     */
    public Requirements anyOrganization() {
        return new Requirements(audience, OrganizationConstraint.ANY, null, scopes);
    }

    /**
     * These scopes must all be granted (added to any already required), compared exactly.
     *
     * @param required scope names, without whitespace
     * @return new requirements
     */
    public Requirements scopes(String... required) {
        return scopes(Arrays.asList(required));
    }

    /**
     * These scopes must all be granted (added to any already required), compared exactly.
     *
     * @param required scope names, without whitespace
     * @return new requirements
     */
    public Requirements scopes(Collection<String> required) {
        Set<String> all = new LinkedHashSet<>(scopes);
        for (String s : required) {
            String scope = nonBlank(s, "scope");
            for (int i = 0; i < scope.length(); i++) {
                if (Character.isWhitespace(scope.charAt(i))) {
                    throw new IllegalArgumentException("a scope must not contain whitespace: '" + scope + "'");
                }
            }
            all.add(scope);
        }
        return new Requirements(audience, organizationConstraint, organizationId, Collections.unmodifiableSet(all));
    }

    /** @return the required audience */
    public String audience() {
        return audience;
    }

    /** @return how the organization is constrained */
    public OrganizationConstraint organizationConstraint() {
        return organizationConstraint;
    }

    /** @return the required organization when the constraint is {@link OrganizationConstraint#EXACT} */
    public Optional<String> requiredOrganization() {
        return Optional.ofNullable(organizationId);
    }

    /** @return the scopes that must all be granted, in the order given */
    public Set<String> scopes() {
        return scopes;
    }

    private static String nonBlank(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Requirements r
                && audience.equals(r.audience)
                && organizationConstraint == r.organizationConstraint
                && Objects.equals(organizationId, r.organizationId)
                && scopes.equals(r.scopes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(audience, organizationConstraint, organizationId, scopes);
    }

    @Override
    public String toString() {
        return "Requirements[audience=" + audience + ", organization="
                + (organizationConstraint == OrganizationConstraint.EXACT ? organizationId : organizationConstraint)
                + ", scopes=" + scopes + "]";
    }
}
