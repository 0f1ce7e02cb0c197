package dev.orgtoken.rules;

import java.util.Objects;

/**
 * What a rule requires of the token's organization.
 *
 * <p>In the rules file: no {@code organization} key is {@link None}; {@code organization: any} is
 * {@link Any}; {@code organization: "{organizationId}"} is {@link FromVariable}; anything else is
 * a {@link Literal} organization id.
 */
public sealed interface OrganizationRule
        permits OrganizationRule.None, OrganizationRule.Any, OrganizationRule.FromVariable, OrganizationRule.Literal {

    /**
     * No organization requirement.
     *
     * @return the {@link None} rule
     */
    static OrganizationRule none() {
        return None.INSTANCE;
    }

    /**
     * The token must carry some organization.
     *
     * @return the {@link Any} rule
     */
    static OrganizationRule any() {
        return Any.INSTANCE;
    }

    /**
     * Whether a token must carry an organization at all.
     *
     * @return false only for {@link None}
     */
    default boolean requiresOrganization() {
        return !(this instanceof None);
    }

    /** No organization requirement: a token with or without an organization passes. */
    record None() implements OrganizationRule {
        static final None INSTANCE = new None();
    }

    /** The token must carry an organization, whichever it is. */
    record Any() implements OrganizationRule {
        static final Any INSTANCE = new Any();
    }

    /**
     * The token's organization must equal the value captured by a path variable.
     *
     * @param variable the variable name, without braces
     */
    record FromVariable(String variable) implements OrganizationRule {
        /**
         * Validates the name.
         *
         * @param variable the variable name, without braces
         * @throws IllegalArgumentException if it is not {@code [A-Za-z_][A-Za-z0-9_]*}
         */
        public FromVariable {
            Objects.requireNonNull(variable, "variable");
            if (!Syntax.isIdentifier(variable)) {
                throw new IllegalArgumentException("invalid variable name '" + variable + "'");
            }
        }
    }

    /**
     * The token's organization must equal a fixed id.
     *
     * @param id the organization id
     */
    record Literal(String id) implements OrganizationRule {
        /**
         * Validates the id.
         *
         * @param id the organization id
         * @throws IllegalArgumentException if it is empty or has whitespace, control characters
         *     or braces
         */
        public Literal {
            Objects.requireNonNull(id, "id");
            if (id.isEmpty()) {
                throw new IllegalArgumentException("organization id must not be empty");
            }
            if (Syntax.hasWhitespaceOrControl(id) || id.indexOf('{') >= 0 || id.indexOf('}') >= 0) {
                throw new IllegalArgumentException("invalid organization id '" + id
                        + "' (no whitespace, control characters or braces)");
            }
        }
    }
}
