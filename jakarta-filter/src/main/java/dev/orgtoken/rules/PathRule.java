package dev.orgtoken.rules;

import dev.orgtoken.Requirements;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One access rule: a path pattern, the methods it applies to, and what a token must satisfy.
 *
 * <p>Build one with {@link #builder(String)}, or let {@link RuleSet#load(java.nio.file.Path)} read
 * it from a rules file. A {@link RuleSet} compiles each rule into the {@link Requirements} it
 * demands, once, when it is built. Immutable and thread-safe.
 */
public final class PathRule {
    /** The rules-file spelling of "some organization, whichever". */
    public static final String ANY_ORGANIZATION = "any";

    private final PathPattern path;
    private final Set<String> methods;
    /** Methods as matched: the declared ones plus HEAD when GET is declared; null means all. */
    private final String[] effectiveMethods;
    private final boolean isPublic;
    private final AudienceTemplate audience;
    /** NONE, ANY, or EXACT: then {@link #organizationId} or {@link #organizationVariable} names it. */
    private final Requirements.OrganizationConstraint organizationConstraint;
    private final String organizationId;
    private final String organizationVariable;
    private final Set<String> scopes;
    private final Set<String> roles;
    private final Requirements.ActorPolicy actor;
    /** The rule's own client allow-list; empty when it sets none (the file's default applies). */
    private final Set<String> clients;
    /** {@code clients: any}: no client allow-list here, whatever the file's default says. */
    private final boolean anyClient;
    private final Requirements.SubjectKind subject;
    private final Set<String> tenants;
    private final int line;

    private PathRule(Builder b) {
        this.path = b.path;
        this.methods = b.methods == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(b.methods));
        if (b.methods == null) {
            this.effectiveMethods = null;
        } else {
            Set<String> effective = new LinkedHashSet<>(b.methods);
            if (effective.contains("GET")) {
                effective.add("HEAD");
            }
            this.effectiveMethods = effective.toArray(new String[0]);
        }
        this.isPublic = b.isPublic;
        this.audience = b.audience;
        this.organizationConstraint = b.organizationConstraint;
        this.organizationId = b.organizationId;
        this.organizationVariable = b.organizationVariable;
        this.scopes = Collections.unmodifiableSet(new LinkedHashSet<>(b.scopes));
        this.roles = Collections.unmodifiableSet(new LinkedHashSet<>(b.roles));
        this.actor = b.actor;
        this.clients = Collections.unmodifiableSet(new LinkedHashSet<>(b.clients));
        this.anyClient = b.anyClient;
        this.subject = b.subject;
        this.tenants = Collections.unmodifiableSet(new LinkedHashSet<>(b.tenants));
        this.line = b.line;
    }

    /**
     * Starts a rule for a path pattern.
     *
     * @param pathPattern the pattern, see {@link PathPattern}
     * @return a builder
     * @throws IllegalArgumentException if the pattern is malformed
     */
    public static Builder builder(String pathPattern) {
        return new Builder(pathPattern);
    }

    /**
     * The path pattern.
     *
     * @return the compiled pattern
     */
    public PathPattern path() {
        return path;
    }

    /**
     * The methods as declared, upper case.
     *
     * @return an unmodifiable set; empty means the rule applies to every method
     */
    public Set<String> methods() {
        return methods;
    }

    /**
     * Whether the rule applies to a request method. A rule declaring {@code GET} also applies to
     * {@code HEAD}; a rule declaring no methods applies to all.
     *
     * @param method the request method, case-sensitive
     * @return true when the rule applies
     */
    public boolean appliesTo(String method) {
        String[] allowed = effectiveMethods;
        if (allowed == null) {
            return true;
        }
        for (String m : allowed) {
            if (m.equals(method)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the rule lets requests through without a token.
     *
     * @return true for {@code public: true}
     */
    public boolean isPublic() {
        return isPublic;
    }

    /**
     * The rule's own audience, possibly with {@code {name}} placeholders for path variables.
     *
     * @return the template text, or empty when the rule uses the rule set's default audience
     */
    public Optional<String> audienceTemplate() {
        return audience == null ? Optional.empty() : Optional.of(audience.toString());
    }

    /**
     * What the rule requires of the token's organization, as the rules file spells it.
     *
     * @return {@value #ANY_ORGANIZATION}, a path variable such as {@code {organizationId}}, or an
     *     organization id; empty when the rule requires no organization
     */
    public Optional<String> organization() {
        return switch (organizationConstraint) {
            case NONE -> Optional.empty();
            case ANY -> Optional.of(ANY_ORGANIZATION);
            case EXACT -> Optional.of(organizationVariable != null ? "{" + organizationVariable + "}" : organizationId);
        };
    }

    /**
     * The scopes a token must all carry.
     *
     * @return an unmodifiable set in declaration order, possibly empty
     */
    public Set<String> scopes() {
        return scopes;
    }

    /**
     * The roles a token must <em>all</em> carry in its roles claim (the verifier's
     * {@code roles-claim}); like scopes, every listed role is needed.
     *
     * @return an unmodifiable set in declaration order, possibly empty
     */
    public Set<String> roles() {
        return roles;
    }

    /** @return what a token with an actor ({@code act}) may do here; {@code ALLOW} unless set */
    public Requirements.ActorPolicy actor() {
        return actor;
    }

    /**
     * The rule's own client allow-list on {@code client_id}.
     *
     * @return the client ids; empty when the rule sets none, so the rule set's default applies
     *     (unless {@link #anyClient()})
     */
    public Set<String> clients() {
        return clients;
    }

    /** @return true for {@code clients: any}: no client allow-list here, whatever the rule set's default */
    public boolean anyClient() {
        return anyClient;
    }

    /** @return whose token it must be (user, machine-to-machine or either); {@code ANY} unless set */
    public Requirements.SubjectKind subject() {
        return subject;
    }

    /** @return the tenants whose tokens the rule accepts; empty means every tenant the verifier trusts */
    public Set<String> tenants() {
        return tenants;
    }

    /**
     * The 1-based line of the rule in its rules file.
     *
     * @return the line, or 0 for a rule built in code
     */
    public int line() {
        return line;
    }

    /** The audience template; null when the rule uses the rule set's default. */
    AudienceTemplate audience() {
        return audience;
    }

    Requirements.OrganizationConstraint organizationConstraint() {
        return organizationConstraint;
    }

    /** The literal organization id; null unless the constraint is EXACT with a fixed id. */
    String organizationId() {
        return organizationId;
    }

    /** The path variable naming the organization; null unless the constraint is EXACT from the path. */
    String organizationVariable() {
        return organizationVariable;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("PathRule[").append(path);
        part(s, "", methods, !methods.isEmpty());
        part(s, "public", "", isPublic);
        part(s, "audience=", audience, audience != null);
        organization().ifPresent(o -> part(s, "organization=", o, true));
        part(s, "scopes=", scopes, !scopes.isEmpty());
        part(s, "roles=", roles, !roles.isEmpty());
        part(s, "actor=", actor.name().toLowerCase(Locale.ROOT), actor != Requirements.ActorPolicy.ALLOW);
        part(s, "clients=", anyClient ? "any" : clients, anyClient || !clients.isEmpty());
        part(s, "subject=", subject.name().toLowerCase(Locale.ROOT), subject != Requirements.SubjectKind.ANY);
        part(s, "tenants=", tenants, !tenants.isEmpty());
        part(s, "line=", line, line > 0);
        return s.append(']').toString();
    }

    private static void part(StringBuilder s, String name, Object value, boolean shown) {
        if (shown) {
            s.append(' ').append(name).append(value);
        }
    }

    /**
     * Builds a {@link PathRule}. Each setter validates its argument and throws
     * {@link IllegalArgumentException} with a clear message; {@link #build()} checks the
     * combination.
     */
    public static final class Builder {
        private final PathPattern path;
        private Set<String> methods;
        private boolean isPublic;
        private AudienceTemplate audience;
        private Requirements.OrganizationConstraint organizationConstraint = Requirements.OrganizationConstraint.NONE;
        private String organizationId;
        private String organizationVariable;
        private Set<String> scopes = Set.of();
        private Set<String> roles = Set.of();
        private Requirements.ActorPolicy actor = Requirements.ActorPolicy.ALLOW;
        private Set<String> clients = Set.of();
        private boolean anyClient;
        private Requirements.SubjectKind subject = Requirements.SubjectKind.ANY;
        private Set<String> tenants = Set.of();
        private int line;

        private Builder(String pathPattern) {
            try {
                this.path = PathPattern.compile(pathPattern);
            } catch (ConfigProblem e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new ConfigProblem("path", e.getMessage());
            }
        }

        /**
         * Limits the rule to these methods ({@code [A-Z]+}, e.g. {@code GET}). {@code GET}
         * covers {@code HEAD}. Without a call the rule applies to all methods.
         *
         * @param methods one or more upper-case method names, no duplicates
         * @return this builder
         */
        public Builder methods(String... methods) {
            return methods(Arrays.asList(methods));
        }

        /**
         * Limits the rule to these methods; see {@link #methods(String...)}.
         *
         * @param methods one or more upper-case method names, no duplicates
         * @return this builder
         */
        public Builder methods(Collection<String> methods) {
            this.methods = RuleValues.methods(methods);
            return this;
        }

        /**
         * Marks the rule public (no token needed). A public rule cannot also set anything a token
         * must satisfy (audience, organization, scopes, roles, actor, clients, subject, tenants).
         *
         * @param isPublic true for a public rule
         * @return this builder
         */
        public Builder publicAccess(boolean isPublic) {
            this.isPublic = isPublic;
            return this;
        }

        /**
         * Sets the audience the token must carry, instead of the rule set's default. It may use
         * {@code {name}} placeholders for variables captured by the path, e.g.
         * {@code urn:logto:organization:{organizationId}}.
         *
         * @param template the audience or audience template
         * @return this builder
         */
        public Builder audience(String template) {
            AudienceTemplate parsed;
            try {
                parsed = AudienceTemplate.parse(template);
            } catch (IllegalArgumentException e) {
                throw new ConfigProblem("audience", e.getMessage());
            }
            for (String name : parsed.variables()) {
                RuleValues.captured(path, "audience", name);
            }
            this.audience = parsed;
            return this;
        }

        /**
         * Sets the organization requirement from its rules-file spelling: {@value #ANY_ORGANIZATION}
         * (some organization, whichever), {@code {variable}} (the one the path names; the variable
         * must be captured by the path), or an organization id.
         *
         * @param spec the requirement
         * @return this builder
         * @throws IllegalArgumentException when the spelling is none of these
         */
        public Builder organization(String spec) {
            RuleValues.Organization o = RuleValues.organization(path, spec);
            return organizationRequirement(o.constraint(), o.id(), o.variable());
        }

        /**
         * Requires exactly this organization id, read literally: {@code any} here is the
         * organization whose id is "any", and braces are refused. The rules file uses it for a
         * value that came from {@code ${VARIABLE}}, which must never widen a rule.
         *
         * @param id the organization id
         * @return this builder
         * @throws IllegalArgumentException when empty, or with whitespace, control characters or braces
         */
        public Builder organizationId(String id) {
            Objects.requireNonNull(id, "organization");
            RuleValues.organizationId(id, "");
            return organizationRequirement(Requirements.OrganizationConstraint.EXACT, id, null);
        }

        private Builder organizationRequirement(Requirements.OrganizationConstraint constraint, String id, String variable) {
            this.organizationConstraint = constraint;
            this.organizationId = id;
            this.organizationVariable = variable;
            return this;
        }

        /**
         * Sets the scopes a token must all carry (RFC 6749 scope tokens, no duplicates).
         *
         * @param scopes the scopes
         * @return this builder
         */
        public Builder scopes(String... scopes) {
            return scopes(Arrays.asList(scopes));
        }

        /**
         * Sets the scopes a token must all carry; see {@link #scopes(String...)}.
         *
         * @param scopes the scopes
         * @return this builder
         */
        public Builder scopes(Collection<String> scopes) {
            this.scopes = RuleValues.names("scopes", "scope", scopes, false);
            return this;
        }

        /**
         * Sets the roles a token must <em>all</em> carry in its roles claim (the claim the verifier's
         * {@code rolesClaim} names; scopes do not count). {@code roles("admin", "billing")} needs both;
         * for "either", write two rules.
         *
         * @param roles the roles, no duplicates, no whitespace
         * @return this builder
         */
        public Builder roles(String... roles) {
            this.roles = RuleValues.names("roles", "role", Arrays.asList(roles), false);
            return this;
        }

        /**
         * Sets what a token with an actor ({@code act}: Logto's token exchange, impersonation) may do:
         * {@code ALLOW} (the default), {@code DENY} (any {@code act} claim is refused, 403) or
         * {@code REQUIRE} (only tokens with an actor pass).
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder actor(Requirements.ActorPolicy policy) {
            this.actor = Objects.requireNonNull(policy, "actor");
            return this;
        }

        /**
         * Limits the rule to tokens whose {@code client_id} is one of these, replacing the rule set's
         * default list for this rule.
         *
         * @param clients one or more client ids
         * @return this builder
         */
        public Builder clients(String... clients) {
            this.clients = RuleValues.names("clients", "client id", Arrays.asList(clients), true);
            this.anyClient = false;
            return this;
        }

        /**
         * Accepts tokens of any client on this rule, whatever the rule set's default client list
         * says ({@code clients: any}).
         *
         * @return this builder
         */
        public Builder anyClient() {
            this.clients = Set.of();
            this.anyClient = true;
            return this;
        }

        /**
         * Sets whose token it must be: {@code USER} ({@code sub != client_id}), {@code M2M}
         * ({@code sub == client_id}, a client-credentials token) or {@code ANY} (the default).
         *
         * @param kind the kind
         * @return this builder
         */
        public Builder subject(Requirements.SubjectKind kind) {
            this.subject = Objects.requireNonNull(kind, "subject");
            return this;
        }

        /**
         * Accepts tokens of these tenants only (names of the verifier's tenants). Default: every tenant.
         *
         * @param tenants one or more tenant names
         * @return this builder
         */
        public Builder tenants(String... tenants) {
            this.tenants = RuleValues.names("tenants", "tenant", Arrays.asList(tenants), true);
            return this;
        }

        /** The 1-based line of the rule in its file; set by the loader. */
        Builder line(int line) {
            this.line = line;
            return this;
        }

        /**
         * Builds the rule.
         *
         * @return the rule
         * @throws IllegalArgumentException if a public rule also sets what a token must satisfy
         *     (audience, organization, scopes, roles, actor, clients, subject or tenants)
         */
        public PathRule build() {
            if (isPublic) {
                RuleValues.publicRuleSetsNothing("audience", audience != null);
                RuleValues.publicRuleSetsNothing("organization",
                        organizationConstraint != Requirements.OrganizationConstraint.NONE);
                RuleValues.publicRuleSetsNothing("scopes", !scopes.isEmpty());
                RuleValues.publicRuleSetsNothing("roles", !roles.isEmpty());
                RuleValues.publicRuleSetsNothing("actor", actor != Requirements.ActorPolicy.ALLOW);
                RuleValues.publicRuleSetsNothing("clients", anyClient || !clients.isEmpty());
                RuleValues.publicRuleSetsNothing("subject", subject != Requirements.SubjectKind.ANY);
                RuleValues.publicRuleSetsNothing("tenants", !tenants.isEmpty());
            }
            return new PathRule(this);
        }
    }
}
