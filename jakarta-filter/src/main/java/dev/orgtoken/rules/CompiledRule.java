package dev.orgtoken.rules;

import dev.orgtoken.Requirements;
import java.util.Map;
import java.util.Set;

/**
 * A {@link PathRule} compiled, when its {@link RuleSet} is built, into the decision it gives. Most
 * rules need nothing from the path: their decision is one shared instance, so matching them
 * allocates nothing. A rule whose organization comes from the path keeps the rest of its
 * requirements ready and adds the organization; one whose audience is a template fills it in.
 * Every token condition a rule can state (scopes, roles, actor, clients, subject kind, tenants)
 * becomes part of its {@link Requirements} in one place, {@link #requirements}.
 */
final class CompiledRule {
    final PathRule rule;
    final PathPattern pattern;
    /** The order in which to compare the pattern's literal segments (see {@link RuleSet}). */
    final int[] literalOrder;

    /** The whole decision when nothing comes from the path; else null. */
    private final RuleDecision fixed;
    /** Audience and scopes, for a rule whose only path-dependent part is the organization. */
    private final Requirements beforeOrganization;
    /** The segment holding the organization, or -1. */
    private final int organizationSegment;
    private final RuleDecision.Refused blank;
    /** The rule set's client allow-list, for a rule that sets none; empty for any client. */
    private final Set<String> defaultClients;

    CompiledRule(PathRule rule, int[] literalOrder, String defaultAudience, Set<String> defaultClients) {
        this.rule = rule;
        this.defaultClients = defaultClients;
        this.pattern = rule.path();
        this.literalOrder = literalOrder;
        this.blank = new RuleDecision.Refused(RuleDecision.Refused.Reason.BLANK_PATH_VALUE, rule, java.util.Set.of());
        String variable = rule.organizationVariable();
        this.organizationSegment = variable == null ? -1 : pattern.segmentOf(variable);
        boolean templatedAudience = rule.audience() != null && !rule.audience().isLiteral();
        if (rule.isPublic()) {
            this.fixed = new RuleDecision.Public(rule);
            this.beforeOrganization = null;
        } else if (templatedAudience) {
            this.fixed = null;
            this.beforeOrganization = null;
        } else {
            Requirements r = requirements(rule.audience() == null ? defaultAudience : rule.audience().toString(), null);
            this.fixed = variable == null ? new RuleDecision.Protected(rule, r) : null;
            this.beforeOrganization = variable == null ? null : r;
        }
    }

    /** The decision for a path this rule's pattern and methods matched. */
    RuleDecision decide(String path, int[] bounds) {
        if (fixed != null) {
            return fixed;
        }
        if (beforeOrganization != null) {
            String organization = PathPattern.segment(path, bounds, organizationSegment);
            return organization.isBlank() ? blank
                    : new RuleDecision.Protected(rule, beforeOrganization.organization(organization));
        }
        Map<String, String> variables = pattern.capture(path, bounds);
        String audience = rule.audience().resolve(variables);
        String organization = organizationSegment < 0 ? null : variables.get(rule.organizationVariable());
        if (audience.isBlank() || (organization != null && organization.isBlank())) {
            return blank;
        }
        return new RuleDecision.Protected(rule, requirements(audience, organization));
    }

    /** The rule's requirements for this audience; {@code organization} fills a path-variable organization. */
    private Requirements requirements(String audience, String organization) {
        Requirements r = tokenConditions(Requirements.audience(audience), rule, defaultClients);
        return switch (rule.organizationConstraint()) {
            case NONE -> r;
            case ANY -> r.anyOrganization();
            case EXACT -> rule.organizationId() != null ? r.organization(rule.organizationId())
                    : organization != null ? r.organization(organization) : r;
        };
    }

    /**
     * What a rule (or {@code unmatched: authenticated}, with {@code rule} null) demands of the token
     * besides audience and organization: scopes and roles (all of them), the actor policy, the client
     * allow-list (the rule's own, else the rule set's default, unless {@code clients: any}), the
     * subject kind and the tenants.
     */
    static Requirements tokenConditions(Requirements r, PathRule rule, Set<String> defaultClients) {
        if (rule == null) {
            return defaultClients.isEmpty() ? r : r.clients(defaultClients);
        }
        if (!rule.scopes().isEmpty()) {
            r = r.scopes(rule.scopes());
        }
        if (!rule.roles().isEmpty()) {
            r = r.roles(rule.roles());
        }
        if (rule.actor() != Requirements.ActorPolicy.ALLOW) {
            r = r.actor(rule.actor());
        }
        Set<String> clients = rule.anyClient() ? Set.of() : rule.clients().isEmpty() ? defaultClients : rule.clients();
        if (!clients.isEmpty()) {
            r = r.clients(clients);
        }
        if (rule.subject() != Requirements.SubjectKind.ANY) {
            r = r.subject(rule.subject());
        }
        if (!rule.tenants().isEmpty()) {
            r = r.tenants(rule.tenants());
        }
        return r;
    }
}
