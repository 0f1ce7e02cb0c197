package dev.orgtoken.rules;

import dev.orgtoken.Requirements;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * What the rules say about one {@code (method, path)}: {@link RuleSet#match}'s answer. Exactly
 * one of three: no token is needed, a token must meet these {@link Requirements}, or the request
 * is refused whatever it carries. Switch over it; there is nothing else.
 */
public sealed interface RuleDecision permits RuleDecision.Public, RuleDecision.Protected, RuleDecision.Refused {

    /**
     * The rule that decided, for logs and audit.
     *
     * @return the rule, or null when the {@code unmatched} policy decided
     */
    PathRule rule();

    /**
     * No token is needed.
     *
     * @param rule the public rule, or null for {@code unmatched: public}
     */
    record Public(PathRule rule) implements RuleDecision {}

    /**
     * A token must meet these requirements.
     *
     * @param rule the rule, or null for {@code unmatched: authenticated}
     * @param requirements the audience, organization and scopes, with path variables filled in
     */
    record Protected(PathRule rule, Requirements requirements) implements RuleDecision {
        /**
         * @param rule the rule, or null for {@code unmatched: authenticated}
         * @param requirements what the token must meet
         */
        public Protected {
            Objects.requireNonNull(requirements, "requirements");
        }
    }

    /**
     * Refused whatever the request carries: no token could make it pass.
     *
     * @param reason why
     * @param rule the rule whose path matched ({@link Reason#BLANK_PATH_VALUE}), else null
     * @param allowedMethods for {@link Reason#METHOD_NOT_ALLOWED}, what the rules covering the path
     *     list; otherwise empty
     */
    record Refused(Reason reason, PathRule rule, Set<String> allowedMethods) implements RuleDecision {
        /**
         * @param reason why
         * @param rule the rule whose path matched, or null
         * @param allowedMethods the methods the covering rules list, or empty
         */
        public Refused {
            Objects.requireNonNull(reason, "reason");
            allowedMethods = Collections.unmodifiableSet(new LinkedHashSet<>(allowedMethods));
        }

        /** Why a request is refused by the rules alone. */
        public enum Reason {
            /** No rule covers the path (or it is not a normalized path), and {@code unmatched: deny}. */
            NO_MATCHING_RULE,
            /** Rules cover the path, but none lists the method; whatever {@code unmatched} says. */
            METHOD_NOT_ALLOWED,
            /**
             * The path segment a rule takes its organization or audience from is blank (such as
             * {@code %20}): no token can be for it.
             */
            BLANK_PATH_VALUE
        }
    }
}
