package dev.orgtoken.rules;

import dev.orgtoken.Requirements;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The checks of a {@link PathRule}'s values, each failure a {@link ConfigProblem} naming the
 * rules-file key (and list entry) at fault, so the loader can point at its line.
 */
final class RuleValues {
    private RuleValues() {}

    /** Upper-case method names ({@code [A-Z]+}), at least one, none twice. */
    static Set<String> methods(Collection<String> methods) {
        Objects.requireNonNull(methods, "methods");
        if (methods.isEmpty()) {
            throw new ConfigProblem("methods", "'methods' must not be empty (leave it out to match all methods)");
        }
        Set<String> set = new LinkedHashSet<>();
        int i = 0;
        for (String m : methods) {
            Objects.requireNonNull(m, "method");
            if (!Syntax.isUpperToken(m)) {
                String upper = m.toUpperCase(Locale.ROOT);
                String hint = Syntax.isUpperToken(upper) ? " (write '" + upper + "')" : "";
                throw ConfigProblem.inItem("methods", i, "method '" + m + "' must be upper-case letters only" + hint);
            }
            if (!set.add(m)) {
                throw ConfigProblem.inItem("methods", i, "method '" + m + "' is listed twice");
            }
            i++;
        }
        return set;
    }

    /**
     * Names compared exactly with a token's (scopes, roles, client ids, tenants): no whitespace,
     * quotes, backslashes or control characters, none twice.
     *
     * @param key the rules-file key, e.g. {@code scopes}
     * @param what one entry, e.g. {@code scope}
     * @param nonEmpty whether an empty list is refused (a list that would refuse every token)
     */
    static Set<String> names(String key, String what, Collection<String> values, boolean nonEmpty) {
        Objects.requireNonNull(values, key);
        if (nonEmpty && values.isEmpty()) {
            throw new ConfigProblem(key, "'" + key + "' must not be empty (leave it out for the default)");
        }
        Set<String> set = new LinkedHashSet<>();
        int i = 0;
        for (String v : values) {
            Objects.requireNonNull(v, what);
            if (v.isEmpty()) {
                throw ConfigProblem.inItem(key, i, "a " + what + " must not be empty");
            }
            if (!Syntax.isScopeToken(v)) {
                throw ConfigProblem.inItem(key, i, what + " '" + v
                        + "' must not contain whitespace, quotes, backslashes or control characters"
                        + (v.indexOf(' ') >= 0 ? " (list " + key + " separately: [" + String.join(", ", v.trim().split(" +"))
                                + "])" : ""));
            }
            if (!set.add(v)) {
                throw ConfigProblem.inItem(key, i, what + " '" + v + "' is listed twice");
            }
            i++;
        }
        return set;
    }

    /** What an {@code organization} spelling means: the constraint, and the literal id or path variable. */
    record Organization(Requirements.OrganizationConstraint constraint, String id, String variable) {}

    /** Parses {@code any}, {@code {variable}} (captured by the path) or an organization id. */
    static Organization organization(PathPattern path, String spec) {
        Objects.requireNonNull(spec, "organization");
        if (spec.equals(PathRule.ANY_ORGANIZATION)) {
            return new Organization(Requirements.OrganizationConstraint.ANY, null, null);
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
            captured(path, "organization", name);
            return new Organization(Requirements.OrganizationConstraint.EXACT, null, name);
        }
        organizationId(spec, "; expected 'any', '{variable}' or an organization id");
        return new Organization(Requirements.OrganizationConstraint.EXACT, spec, null);
    }

    /** An organization id as written: not empty, no whitespace, control characters or braces. */
    static void organizationId(String id, String hint) {
        if (id.isEmpty()) {
            throw new ConfigProblem("organization", "organization id must not be empty" + hint);
        }
        if (Syntax.hasWhitespaceOrControl(id) || id.indexOf('{') >= 0 || id.indexOf('}') >= 0) {
            throw new ConfigProblem("organization", "invalid organization id '" + id
                    + "' (no whitespace, control characters or braces)" + hint);
        }
    }

    /** A {@code {name}} used in {@code key} must be a variable the path captures. */
    static void captured(PathPattern path, String key, String name) {
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

    /** A public rule needs no token, so setting anything a token must satisfy contradicts it. */
    static void publicRuleSetsNothing(String key, boolean set) {
        if (set) {
            throw new ConfigProblem(key, "a public rule must not set '" + key
                    + "' (contradictory: public means no token is needed)");
        }
    }

    /** The default audience: an audience without placeholders. */
    static String defaultAudience(String audience) {
        AudienceTemplate parsed;
        try {
            parsed = AudienceTemplate.parse(audience);
        } catch (IllegalArgumentException e) {
            throw new ConfigProblem("audience", e.getMessage());
        }
        if (!parsed.isLiteral()) {
            throw new ConfigProblem("audience", "the default audience cannot use placeholders like '{"
                    + parsed.variables().iterator().next() + "}'; put templated audiences on the rules");
        }
        return audience;
    }

    /** {@code WWW-Authenticate} realm: printable ASCII without quotes or backslashes. */
    static String realm(String realm) {
        Objects.requireNonNull(realm, "realm");
        if (realm.isEmpty()) {
            throw new ConfigProblem("realm", "'realm' must not be empty");
        }
        for (int i = 0; i < realm.length(); i++) {
            char c = realm.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                throw new ConfigProblem("realm",
                        "'realm' must be printable ASCII without quotes or backslashes, was '" + realm + "'");
            }
        }
        return realm;
    }

    /**
     * Rules against the tenants of the verifier they will use: every tenant a rule names exists,
     * and a rule requiring roles accepts some tenant whose roles are read (else it refuses every token).
     */
    static void fit(List<PathRule> rules, Set<String> tenants, Predicate<String> readsRoles) {
        for (int i = 0; i < rules.size(); i++) {
            PathRule rule = rules.get(i);
            for (String tenant : rule.tenants()) {
                if (!tenants.contains(tenant)) {
                    throw ConfigProblem.inRule(i, "tenants", "unknown tenant '" + tenant + "'"
                            + Syntax.didYouMean(tenant, tenants) + " (the tenants are " + String.join(", ", tenants) + ")");
                }
            }
            Set<String> accepted = rule.tenants().isEmpty() ? tenants : rule.tenants();
            if (!rule.roles().isEmpty() && accepted.stream().noneMatch(readsRoles)) {
                throw ConfigProblem.inRule(i, "roles", "'roles' needs a roles claim to read them from: set"
                        + " 'roles-claim' in 'logto' (or on the tenants this rule accepts)");
            }
        }
    }
}
