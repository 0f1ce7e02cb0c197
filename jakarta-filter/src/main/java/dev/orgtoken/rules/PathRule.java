package dev.orgtoken.rules;

import dev.orgtoken.Requirements;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
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
        if (!methods.isEmpty()) {
            s.append(' ').append(methods);
        }
        if (isPublic) {
            s.append(" public");
        }
        if (audience != null) {
            s.append(" audience=").append(audience);
        }
        organization().ifPresent(o -> s.append(" organization=").append(o));
        if (!scopes.isEmpty()) {
            s.append(" scopes=").append(scopes);
        }
        if (line > 0) {
            s.append(" line=").append(line);
        }
        return s.append(']').toString();
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
            Objects.requireNonNull(methods, "methods");
            if (methods.isEmpty()) {
                throw new ConfigProblem("methods", "'methods' must not be empty (leave it out to match all methods)");
            }
            Set<String> set = new LinkedHashSet<>();
            int i = 0;
            for (String m : methods) {
                Objects.requireNonNull(m, "method");
                if (!Syntax.isUpperToken(m)) {
                    String upper = m.toUpperCase(java.util.Locale.ROOT);
                    String hint = Syntax.isUpperToken(upper) ? " (write '" + upper + "')" : "";
                    throw ConfigProblem.inItem("methods", i, "method '" + m + "' must be upper-case letters only" + hint);
                }
                if (!set.add(m)) {
                    throw ConfigProblem.inItem("methods", i, "method '" + m + "' is listed twice");
                }
                i++;
            }
            this.methods = set;
            return this;
        }

        /**
         * Marks the rule public (no token needed). A public rule cannot also set an audience,
         * organization or scopes.
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
                requireCaptured("audience", name);
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
            Objects.requireNonNull(spec, "organization");
            if (spec.equals(ANY_ORGANIZATION)) {
                return organizationRequirement(Requirements.OrganizationConstraint.ANY, null, null);
            }
            if (spec.equals("none")) {
                throw new ConfigProblem("organization",
                        "organization 'none' is not a value; leave 'organization' out to require no organization");
            }
            if (spec.startsWith("{") && spec.endsWith("}") && spec.length() >= 2) {
                String name = spec.substring(1, spec.length() - 1);
                if (!Syntax.isIdentifier(name)) {
                    throw new ConfigProblem("organization", "organization '" + spec
                            + "' is not a valid variable reference (expected '{name}' with a name captured by the path)");
                }
                requireCaptured("organization", name);
                return organizationRequirement(Requirements.OrganizationConstraint.EXACT, null, name);
            }
            checkOrganizationId(spec, "; expected 'any', '{variable}' or an organization id");
            return organizationRequirement(Requirements.OrganizationConstraint.EXACT, spec, null);
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
            checkOrganizationId(id, "");
            return organizationRequirement(Requirements.OrganizationConstraint.EXACT, id, null);
        }

        private Builder organizationRequirement(Requirements.OrganizationConstraint constraint, String id,
                String variable) {
            this.organizationConstraint = constraint;
            this.organizationId = id;
            this.organizationVariable = variable;
            return this;
        }

        private static void checkOrganizationId(String id, String hint) {
            if (id.isEmpty()) {
                throw new ConfigProblem("organization", "organization id must not be empty" + hint);
            }
            if (Syntax.hasWhitespaceOrControl(id) || id.indexOf('{') >= 0 || id.indexOf('}') >= 0) {
                throw new ConfigProblem("organization", "invalid organization id '" + id
                        + "' (no whitespace, control characters or braces)" + hint);
            }
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
            Objects.requireNonNull(scopes, "scopes");
            Set<String> set = new LinkedHashSet<>();
            int i = 0;
            for (String s : scopes) {
                Objects.requireNonNull(s, "scope");
                if (s.isEmpty()) {
                    throw ConfigProblem.inItem("scopes", i, "a scope must not be empty");
                }
                if (!Syntax.isScopeToken(s)) {
                    throw ConfigProblem.inItem("scopes", i, "scope '" + s
                            + "' must not contain whitespace, quotes, backslashes or control characters"
                            + (s.indexOf(' ') >= 0 ? " (list scopes separately: [" + String.join(", ", s.trim().split(" +")) + "])" : ""));
                }
                if (!set.add(s)) {
                    throw ConfigProblem.inItem("scopes", i, "scope '" + s + "' is listed twice");
                }
                i++;
            }
            this.scopes = set;
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
         * @throws IllegalArgumentException if a public rule also sets an audience, organization or
         *     scopes
         */
        public PathRule build() {
            if (isPublic) {
                for (String key : List.of("audience", "organization", "scopes")) {
                    boolean set = key.equals("audience") ? audience != null
                            : key.equals("organization") ? organizationConstraint != Requirements.OrganizationConstraint.NONE
                            : !scopes.isEmpty();
                    if (set) {
                        throw new ConfigProblem(key, "a public rule must not set '" + key
                                + "' (contradictory: public means no token is needed)");
                    }
                }
            }
            return new PathRule(this);
        }

        private void requireCaptured(String key, String name) {
            if (!path.variables().contains(name)) {
                String hint = Syntax.didYouMean(name, path.variables());
                if (hint.isEmpty()) {
                    hint = path.variables().isEmpty() ? " (it captures no variables)"
                            : " (it captures " + String.join(", ", path.variables()) + ")";
                }
                throw new ConfigProblem(key, "variable '{" + name + "}' in '" + key
                        + "' is not captured by path '" + path + "'" + hint);
            }
        }
    }
}
