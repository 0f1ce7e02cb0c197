package dev.orgtoken.rules;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The rule that decided a request, with the variables its path captured.
 *
 * <p>The accessors turn the rule's templates into concrete values for this request, so the
 * caller can build its token requirements directly.
 *
 * @param rule the first rule whose path and method matched
 * @param variables the captured path variables, name to decoded segment; empty when none
 */
public record RuleMatch(PathRule rule, Map<String, String> variables) {
    /**
     * Checks that the variables are exactly those the rule's path captures.
     *
     * @param rule the rule
     * @param variables the captured variables
     * @throws IllegalArgumentException if the variable names differ from the path's
     */
    public RuleMatch {
        Objects.requireNonNull(rule, "rule");
        variables = Map.copyOf(variables); // no copy when already immutable (the normal case)
        // Runs once per matched request: checked over the pattern's arrays, not its Set view.
        if (!rule.path().capturesExactly(variables)) {
            throw new IllegalArgumentException("variables " + variables.keySet()
                    + " do not match those of path '" + rule.path() + "' " + rule.path().variables());
        }
    }

    /**
     * Whether the request needs no token.
     *
     * @return {@link PathRule#isPublic()}
     */
    public boolean isPublic() {
        return rule.isPublic();
    }

    /**
     * The rule's own audience with placeholders filled in.
     *
     * @return the audience, or empty when the rule uses the default audience
     */
    public Optional<String> audience() {
        return Optional.ofNullable(rule.resolveAudience(variables));
    }

    /**
     * The audience the token must carry for this request.
     *
     * @param defaultAudience the rule set's default audience ({@link RuleSet#defaultAudience()});
     *     may be null when the rule has its own
     * @return the rule's audience with placeholders filled in, or {@code defaultAudience}
     * @throws IllegalStateException if the rule has no audience and {@code defaultAudience} is
     *     null
     */
    public String audience(String defaultAudience) {
        String own = rule.resolveAudience(variables);
        if (own != null) {
            return own;
        }
        if (defaultAudience == null) {
            throw new IllegalStateException("rule " + rule.path() + " has no audience and no default was given");
        }
        return defaultAudience;
    }

    /**
     * The organization rule as declared.
     *
     * @return the rule's {@link OrganizationRule}
     */
    public OrganizationRule organization() {
        return rule.organization();
    }

    /**
     * Whether the token must carry an organization ({@code any}, a variable or a literal id).
     *
     * @return true unless the rule has no organization requirement
     */
    public boolean organizationRequired() {
        return rule.organization().requiresOrganization();
    }

    /**
     * The specific organization the token must carry: the captured variable's value, or the
     * literal id.
     *
     * @return the organization id, or empty for {@code any} and for no requirement
     */
    public Optional<String> requiredOrganization() {
        OrganizationRule org = rule.organization();
        if (org instanceof OrganizationRule.FromVariable) {
            return Optional.of(variables.get(((OrganizationRule.FromVariable) org).variable()));
        }
        if (org instanceof OrganizationRule.Literal) {
            return Optional.of(((OrganizationRule.Literal) org).id());
        }
        return Optional.empty();
    }

    /**
     * The scopes the token must all carry.
     *
     * @return {@link PathRule#scopes()}
     */
    public Set<String> scopes() {
        return rule.scopes();
    }
}
