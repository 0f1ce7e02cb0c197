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
 * an audience (always), and optionally an organization, scopes and roles that must all be granted,
 * an actor policy, a client allow-list, a kind of subject and the tenants it may come from.
 * Immutable; each method returns a new instance, so shared constants are safe.
 *
 * <pre>{@code
 * Requirements.audience("https://api.example.com/org").organization("o1").scopes("read:members")
 * Requirements.organizationPermissions("o1").scopes("manage:settings")   // aud urn:logto:organization:o1
 * Requirements.audience("https://api.example.com/org").anyOrganization()
 * Requirements.audience("https://api.example.com").roles("admin", "billing")  // both roles
 *     .actor(Requirements.ActorPolicy.DENY)          // no impersonation here
 *     .clients("admin-console")                      // only this client's tokens
 *     .subject(Requirements.SubjectKind.USER)        // no machine-to-machine tokens
 *     .tenants("cloud")                              // only the tenant named "cloud"
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

    /**
     * What a token-exchange (RFC 8693 impersonation) token may do here: one whose {@code act} claim
     * says someone acts for the subject.
     */
    public enum ActorPolicy {
        /**
         * Tokens with or without an actor pass (the default). Logto's impersonation tokens look like
         * the user's own tokens apart from {@code act}, so this treats them as the user's.
         */
        ALLOW,
        /** A token carrying an {@code act} claim, of any shape, is refused (403). */
        DENY,
        /** Only a token with an actor ({@code act.sub}, a non-empty string) passes (403 otherwise). */
        REQUIRE
    }

    /** Whose token it must be, told apart as Logto mints them: {@code sub == client_id} is a machine. */
    public enum SubjectKind {
        /** Users and machine-to-machine clients alike (the default). */
        ANY,
        /** A user's token: {@code sub} differs from {@code client_id}. */
        USER,
        /** A machine-to-machine (client credentials) token: {@code sub == client_id}. */
        M2M
    }

    private final String audience;
    private final OrganizationConstraint organizationConstraint;
    private final String organizationId;
    private final Set<String> scopes;
    private final Set<String> roles;
    private final ActorPolicy actor;
    /** The allowed {@code client_id}s; empty means any client. */
    private final Set<String> clients;
    private final SubjectKind subject;
    /** The accepted tenants; empty means every tenant the verifier trusts. */
    private final Set<String> tenants;

    private Requirements(String audience, OrganizationConstraint constraint, String organizationId, Set<String> scopes,
            Set<String> roles, ActorPolicy actor, Set<String> clients, SubjectKind subject, Set<String> tenants) {
        this.audience = audience;
        this.organizationConstraint = constraint;
        this.organizationId = organizationId;
        this.scopes = scopes;
        this.roles = roles;
        this.actor = actor;
        this.clients = clients;
        this.subject = subject;
        this.tenants = tenants;
    }

    /**
     * The token's {@code aud} (string or array) must contain this audience, compared exactly.
     *
     * @param audience an API resource indicator, or {@code urn:logto:organization:<id>}
     * @return requirements with only this audience
     */
    public static Requirements audience(String audience) {
        return new Requirements(nonBlank(audience, "audience"), OrganizationConstraint.NONE, null, Set.of(), Set.of(),
                ActorPolicy.ALLOW, Set.of(), SubjectKind.ANY, Set.of());
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
        return new Requirements(audience, OrganizationConstraint.EXACT, nonBlank(organizationId, "organizationId"), scopes,
                roles, actor, clients, subject, tenants);
    }

    /**
     * The token must carry some organization, whichever it is.
     *
     * @return new requirements
     */
    public Requirements anyOrganization() {
        return new Requirements(audience, OrganizationConstraint.ANY, null, scopes, roles, actor, clients, subject,
                tenants);
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
        return new Requirements(audience, organizationConstraint, organizationId, adding(scopes, required, "scope"),
                roles, actor, clients, subject, tenants);
    }

    /**
     * These roles must <em>all</em> be in the token's roles claim ({@link VerifiedToken#roles()}, read
     * from the claim {@link OrganizationTokenVerifier.Builder#rolesClaim} names), added to any already
     * required and compared exactly. Like scopes, all are needed: {@code roles("admin", "billing")}
     * passes a token with both, not one with either. For "either", check twice, or write two rules.
     * Scopes never count as roles here.
     *
     * @param required role names, without whitespace
     * @return new requirements
     */
    public Requirements roles(String... required) {
        return roles(Arrays.asList(required));
    }

    /**
     * These roles must all be in the token's roles claim; see {@link #roles(String...)}.
     *
     * @param required role names, without whitespace
     * @return new requirements
     */
    public Requirements roles(Collection<String> required) {
        return new Requirements(audience, organizationConstraint, organizationId, scopes, adding(roles, required, "role"),
                actor, clients, subject, tenants);
    }

    /**
     * What a token with an actor ({@code act}, RFC 8693) may do. Default {@link ActorPolicy#ALLOW}.
     *
     * @param policy the policy
     * @return new requirements
     */
    public Requirements actor(ActorPolicy policy) {
        return new Requirements(audience, organizationConstraint, organizationId, scopes, roles,
                Objects.requireNonNull(policy, "actor"), clients, subject, tenants);
    }

    /**
     * The token's {@code client_id} must be one of these (replacing any list set before). A token
     * without {@code client_id} is refused. Default: any client.
     *
     * @param allowed one or more client ids
     * @return new requirements
     * @throws IllegalArgumentException when none is given, or one is blank
     */
    public Requirements clients(String... allowed) {
        return clients(Arrays.asList(allowed));
    }

    /**
     * The token's {@code client_id} must be one of these; see {@link #clients(String...)}.
     *
     * @param allowed one or more client ids
     * @return new requirements
     */
    public Requirements clients(Collection<String> allowed) {
        return new Requirements(audience, organizationConstraint, organizationId, scopes, roles, actor,
                nonEmpty(allowed, "clients"), subject, tenants);
    }

    /**
     * Whose token it must be: a user's, a machine-to-machine client's ({@code sub == client_id}), or
     * either. Default {@link SubjectKind#ANY}.
     *
     * @param kind the kind
     * @return new requirements
     */
    public Requirements subject(SubjectKind kind) {
        return new Requirements(audience, organizationConstraint, organizationId, scopes, roles, actor, clients,
                Objects.requireNonNull(kind, "subject"), tenants);
    }

    /**
     * The token must come from one of these tenants of the verifier ({@link VerifiedToken#tenant()}),
     * replacing any list set before. Default: every tenant the verifier trusts. A token from another
     * configured tenant is refused as {@link RejectionReason#WRONG_TENANT} (401).
     *
     * @param accepted one or more tenant names
     * @return new requirements
     * @throws IllegalArgumentException when none is given, or one is blank
     */
    public Requirements tenants(String... accepted) {
        return tenants(Arrays.asList(accepted));
    }

    /**
     * The token must come from one of these tenants; see {@link #tenants(String...)}.
     *
     * @param accepted one or more tenant names
     * @return new requirements
     */
    public Requirements tenants(Collection<String> accepted) {
        return new Requirements(audience, organizationConstraint, organizationId, scopes, roles, actor, clients,
                subject, nonEmpty(accepted, "tenants"));
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

    /** @return the roles that must all be in the token's roles claim, in the order given */
    public Set<String> roles() {
        return roles;
    }

    /** @return what a token with an actor may do */
    public ActorPolicy actor() {
        return actor;
    }

    /** @return the allowed client ids; empty means any client */
    public Set<String> clients() {
        return clients;
    }

    /** @return whose token it must be */
    public SubjectKind subject() {
        return subject;
    }

    /** @return the accepted tenants; empty means every tenant the verifier trusts */
    public Set<String> tenants() {
        return tenants;
    }

    private static Set<String> adding(Set<String> current, Collection<String> more, String what) {
        Set<String> all = new LinkedHashSet<>(current);
        for (String s : more) {
            all.add(withoutWhitespace(s, what));
        }
        return Collections.unmodifiableSet(all);
    }

    private static Set<String> nonEmpty(Collection<String> values, String what) {
        Objects.requireNonNull(values, what);
        if (values.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty (leave it out to accept any)");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String v : values) {
            out.add(nonBlank(v, what));
        }
        return Collections.unmodifiableSet(out);
    }

    private static String withoutWhitespace(String value, String what) {
        String v = nonBlank(value, what);
        for (int i = 0; i < v.length(); i++) {
            if (Character.isWhitespace(v.charAt(i))) {
                throw new IllegalArgumentException("a " + what + " must not contain whitespace: '" + v + "'");
            }
        }
        return v;
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
                && scopes.equals(r.scopes)
                && roles.equals(r.roles)
                && actor == r.actor
                && clients.equals(r.clients)
                && subject == r.subject
                && tenants.equals(r.tenants);
    }

    @Override
    public int hashCode() {
        return Objects.hash(audience, organizationConstraint, organizationId, scopes, roles, actor, clients, subject,
                tenants);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Requirements[audience=").append(audience).append(", organization=")
                .append(organizationConstraint == OrganizationConstraint.EXACT ? organizationId : organizationConstraint)
                .append(", scopes=").append(scopes);
        if (!roles.isEmpty()) {
            s.append(", roles=").append(roles);
        }
        if (actor != ActorPolicy.ALLOW) {
            s.append(", actor=").append(actor);
        }
        if (!clients.isEmpty()) {
            s.append(", clients=").append(clients);
        }
        if (subject != SubjectKind.ANY) {
            s.append(", subject=").append(subject);
        }
        if (!tenants.isEmpty()) {
            s.append(", tenants=").append(tenants);
        }
        return s.append(']').toString();
    }
}
