package dev.orgtoken.servlet;

import jakarta.servlet.DispatcherType;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the filter should decide, written as plainly as possible and without {@code RuleSet} or
 * {@code PathPattern}: the reference that {@link DecisionModelTest} compares the filter with.
 *
 * <p>The rules are described here ({@link Rules}, {@link Rule}) and rendered to a rules file for
 * the filter ({@link Rules#yaml}); tokens are described by the claims the test minted them with
 * ({@link Token}). {@link #decide} answers ALLOW or DENY for a method, the decoded context-relative
 * path the dispatch targets, and a token:
 * <ol>
 *   <li>a trailing {@code /} (other than the root) is ignored;</li>
 *   <li>the first rule, in file order, whose pattern matches the path and whose methods include the
 *       method decides (no methods: all; GET covers HEAD; names are case-sensitive);</li>
 *   <li>no such rule, but some rule's pattern matches the path: DENY (the filter answers 405);</li>
 *   <li>no rule's pattern matches the path: {@code unmatched} decides;</li>
 *   <li>a public rule ALLOWs; a protected rule ALLOWs a genuine token with the rule's audience
 *       (placeholders filled from the path), organization, all of its scopes and all of its roles
 *       (read from the file's roles claim), whose actor, client ({@code client_id} in the rule's list,
 *       else the file's, unless {@code any}) and kind of subject ({@code sub == client_id}: a machine)
 *       the rule accepts.</li>
 * </ol>
 * Before all of that, with {@code cors-preflight: pass}: a REQUEST dispatch of {@code OPTIONS} with
 * {@code Origin} and {@code Access-Control-Request-Method} and no credentials (no token, no cookie)
 * is ALLOWed whatever the rules say.
 */
final class DecisionModel {
    private DecisionModel() {}

    enum Unmatched { DENY, AUTHENTICATED, PUBLIC }

    /** Why the model decided as it did; every DENY names the requirement that failed. */
    enum Reason {
        PUBLIC_RULE, RULE_SATISFIED, UNMATCHED_PUBLIC, UNMATCHED_AUTHENTICATED, CORS_PREFLIGHT,
        METHOD_NOT_ALLOWED, UNMATCHED_DENY, NO_TOKEN, INVALID_TOKEN, AUDIENCE, ORGANIZATION, SCOPES,
        ROLES, ACTOR, CLIENT, SUBJECT_KIND, NOT_NORMALIZED
    }

    record Verdict(boolean allow, Reason reason, String rule) {
        @Override
        public String toString() {
            return (allow ? "ALLOW" : "DENY") + " (" + reason + (rule == null ? "" : ", rule " + rule) + ")";
        }
    }

    /**
     * One rule of a rules file.
     *
     * @param path the pattern
     * @param methods the methods, empty for all
     * @param isPublic {@code public: true}
     * @param audience the rule's audience (may use {@code {var}}), or null for the default
     * @param organization {@code any}, {@code {var}}, a literal id, or null for none
     * @param scopes the scopes a token must all carry
     * @param roles the roles a token's roles claim must all hold
     * @param actor {@code allow}, {@code deny}, {@code require}, or null (allow)
     * @param clients the rule's client ids, {@code [any]} for {@code clients: any}, or empty (the file's default)
     * @param subject {@code user}, {@code m2m}, or null (any)
     */
    record Rule(String path, List<String> methods, boolean isPublic, String audience, String organization,
            List<String> scopes, List<String> roles, String actor, List<String> clients, String subject) {
        static Rule open(String path) {
            return new Rule(path, List.of(), true, null, null, List.of(), List.of(), null, List.of(), null);
        }

        static Rule token(String path) {
            return new Rule(path, List.of(), false, null, null, List.of(), List.of(), null, List.of(), null);
        }

        Rule methods(String... m) {
            return new Rule(path, List.of(m), isPublic, audience, organization, scopes, roles, actor, clients, subject);
        }

        Rule audience(String a) {
            return new Rule(path, methods, isPublic, a, organization, scopes, roles, actor, clients, subject);
        }

        Rule organization(String o) {
            return new Rule(path, methods, isPublic, audience, o, scopes, roles, actor, clients, subject);
        }

        Rule scopes(String... s) {
            return new Rule(path, methods, isPublic, audience, organization, List.of(s), roles, actor, clients, subject);
        }

        Rule roles(String... r) {
            return new Rule(path, methods, isPublic, audience, organization, scopes, List.of(r), actor, clients, subject);
        }

        Rule actor(String a) {
            return new Rule(path, methods, isPublic, audience, organization, scopes, roles, a, clients, subject);
        }

        Rule clients(String... c) {
            return new Rule(path, methods, isPublic, audience, organization, scopes, roles, actor, List.of(c), subject);
        }

        Rule subject(String k) {
            return new Rule(path, methods, isPublic, audience, organization, scopes, roles, actor, clients, k);
        }

        boolean appliesTo(String method) {
            return methods.isEmpty() || methods.contains(method) || (method.equals("HEAD") && methods.contains("GET"));
        }
    }

    /**
     * A rules file: its name (for messages), {@code unmatched}, default {@code audience} and rules in
     * order; the roles claim ({@code logto.roles-claim}, or null), the file's default client list
     * (empty: any client) and whether CORS preflights pass.
     */
    record Rules(String name, Unmatched unmatched, String defaultAudience, List<Rule> rules, String rolesClaim,
            List<String> defaultClients, boolean preflightPasses) {
        Rules(String name, Unmatched unmatched, String defaultAudience, List<Rule> rules) {
            this(name, unmatched, defaultAudience, rules, null, List.of(), false);
        }

        @Override
        public String toString() {
            return name;
        }

        /** The rules file the filter loads. */
        String yaml(String logtoEndpoint) {
            StringBuilder y = new StringBuilder("logto:\n  endpoint: \"").append(logtoEndpoint).append("\"\n");
            if (rolesClaim != null) {
                y.append("  roles-claim: \"").append(rolesClaim).append("\"\n");
            }
            y.append("audience: \"").append(defaultAudience).append("\"\n")
                    .append("unmatched: ").append(unmatched.name().toLowerCase(java.util.Locale.ROOT)).append('\n')
                    .append("cors-preflight: ").append(preflightPasses ? "pass" : "refuse").append('\n');
            if (!defaultClients.isEmpty()) {
                y.append("clients: [").append(String.join(", ", defaultClients)).append("]\n");
            }
            y.append("rules:\n");
            for (Rule r : rules) {
                y.append("  - path: \"").append(r.path()).append("\"\n");
                if (!r.methods().isEmpty()) {
                    y.append("    methods: [").append(String.join(", ", r.methods())).append("]\n");
                }
                if (r.isPublic()) {
                    y.append("    public: true\n");
                }
                if (r.audience() != null) {
                    y.append("    audience: \"").append(r.audience()).append("\"\n");
                }
                if (r.organization() != null) {
                    y.append("    organization: \"").append(r.organization()).append("\"\n");
                }
                if (!r.scopes().isEmpty()) {
                    y.append("    scopes: [").append(String.join(", ", r.scopes())).append("]\n");
                }
                if (!r.roles().isEmpty()) {
                    y.append("    roles: [").append(String.join(", ", r.roles())).append("]\n");
                }
                if (r.actor() != null) {
                    y.append("    actor: ").append(r.actor()).append('\n');
                }
                if (r.clients().equals(List.of("any"))) {
                    y.append("    clients: any\n");
                } else if (!r.clients().isEmpty()) {
                    y.append("    clients: [").append(String.join(", ", r.clients())).append("]\n");
                }
                if (r.subject() != null) {
                    y.append("    subject: ").append(r.subject()).append('\n');
                }
            }
            return y.toString();
        }
    }

    /**
     * A token as the test minted it.
     *
     * @param name for messages
     * @param jws the compact token, or null for "no Authorization header"
     * @param genuine signed by the issuer's published key, right issuer and type, not expired
     * @param subject {@code sub}
     * @param audiences {@code aud}
     * @param organizationId {@code organization_id}, or null
     * @param scopes {@code scope}
     * @param claims every claim as minted (for roles, {@code act} and {@code client_id}); empty for "none"
     */
    record Token(String name, String jws, boolean genuine, String subject, Set<String> audiences,
            String organizationId, Set<String> scopes, Map<String, Object> claims) {
        static final String ORGANIZATION_AUDIENCE = "urn:logto:organization:";

        /** A token of the testkit's default client, {@code testkit-app}, with no other claims that matter here. */
        Token(String name, String jws, boolean genuine, String subject, Set<String> audiences, String organizationId,
                Set<String> scopes) {
            this(name, jws, genuine, subject, audiences, organizationId, scopes, Map.of("client_id", "testkit-app"));
        }

        String clientId() {
            return claims.get("client_id") instanceof String c ? c : null;
        }

        /** {@code sub == client_id}: a client-credentials token. */
        boolean isMachine() {
            return clientId() != null && clientId().equals(subject);
        }

        /** Any {@code act} claim at all, readable or not. */
        boolean carriesAct() {
            return claims.containsKey("act");
        }

        /** {@code act.sub} when it is a non-empty string. */
        boolean hasActor() {
            return claims.get("act") instanceof Map<?, ?> act && act.get("sub") instanceof String s && !s.isEmpty();
        }

        /**
         * The roles under a claim name or dotted path: the exact name first, else the path; a string is one
         * role, an array of at most 256 non-empty strings is several, anything else is none.
         */
        Set<String> roles(String claim) {
            if (claim == null) {
                return Set.of();
            }
            Object value = claims.get(claim);
            if (value == null) {
                Object at = claims;
                for (String part : claim.split("\\.")) {
                    at = at instanceof Map<?, ?> m ? m.get(part) : null;
                }
                value = at;
            }
            if (value instanceof String s) {
                return s.isEmpty() ? Set.of() : Set.of(s);
            }
            if (value instanceof List<?> list && list.size() <= 256) {
                Set<String> out = new LinkedHashSet<>();
                for (Object o : list) {
                    if (!(o instanceof String s) || s.isEmpty()) {
                        return Set.of();
                    }
                    out.add(s);
                }
                return out;
            }
            return Set.of();
        }

        /** {@code organization_id}, else the id of an organization audience, else null. */
        String organization() {
            if (organizationId != null) {
                return organizationId;
            }
            for (String a : audiences) {
                if (a.startsWith(ORGANIZATION_AUDIENCE)) {
                    return a.substring(ORGANIZATION_AUDIENCE.length());
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * What the request carried besides the token, for the CORS preflight check.
     *
     * @param origin one {@code Origin} header
     * @param requestMethod one {@code Access-Control-Request-Method} header
     * @param cookie a {@code Cookie} header
     */
    record Headers(boolean origin, boolean requestMethod, boolean cookie) {
        static final Headers PLAIN = new Headers(false, false, false);
    }

    /** A REQUEST dispatch with no CORS headers. */
    static Verdict decide(Rules rules, String method, String path, Token token) {
        return decide(rules, method, path, token, Headers.PLAIN, DispatcherType.REQUEST);
    }

    /**
     * @param rules the rules file
     * @param method the request method, as the servlet saw it
     * @param path the decoded, context-relative path the dispatch targets
     * @param token the token the client sent
     * @param headers what else the request carried
     * @param type the dispatch
     */
    static Verdict decide(Rules rules, String method, String path, Token token, Headers headers, DispatcherType type) {
        if (rules.preflightPasses() && type == DispatcherType.REQUEST && method.equals("OPTIONS") && headers.origin()
                && headers.requestMethod() && token.jws() == null && !headers.cookie()) {
            return new Verdict(true, Reason.CORS_PREFLIGHT, null);
        }
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        List<String> segments = segments(p);
        if (segments == null) {
            return new Verdict(false, Reason.NOT_NORMALIZED, null);   // never generated: flag it if seen
        }
        boolean someRuleMatchesThePath = false;
        for (Rule rule : rules.rules()) {
            Map<String, String> variables = match(rule.path(), segments);
            if (variables == null) {
                continue;
            }
            someRuleMatchesThePath = true;
            if (rule.appliesTo(method)) {
                return rule.isPublic() ? new Verdict(true, Reason.PUBLIC_RULE, rule.path())
                        : check(rule, variables, token, rules);
            }
        }
        if (someRuleMatchesThePath) {
            return new Verdict(false, Reason.METHOD_NOT_ALLOWED, null);
        }
        return byUnmatchedPolicy(rules, token);
    }

    /** What {@code unmatched} decides for a path no rule's pattern matches. */
    static Verdict byUnmatchedPolicy(Rules rules, Token token) {
        return switch (rules.unmatched()) {
            case DENY -> new Verdict(false, Reason.UNMATCHED_DENY, null);
            case PUBLIC -> new Verdict(true, Reason.UNMATCHED_PUBLIC, null);
            case AUTHENTICATED -> {
                Verdict v = check(Rule.token("(unmatched)"), Map.of(), token, rules);
                yield v.allow() ? new Verdict(true, Reason.UNMATCHED_AUTHENTICATED, null) : v;
            }
        };
    }

    private static Verdict check(Rule rule, Map<String, String> variables, Token token, Rules rules) {
        String defaultAudience = rules.defaultAudience();
        String where = rule.path();
        if (token.jws() == null) {
            return new Verdict(false, Reason.NO_TOKEN, where);
        }
        if (!token.genuine()) {
            return new Verdict(false, Reason.INVALID_TOKEN, where);
        }
        String audience = rule.audience() == null ? defaultAudience : fill(rule.audience(), variables);
        if (!token.audiences().contains(audience)) {
            return new Verdict(false, Reason.AUDIENCE, where);
        }
        String org = rule.organization();
        if (org != null) {
            String has = token.organization();
            String required = org.startsWith("{") ? variables.get(org.substring(1, org.length() - 1)) : org;
            if (has == null || !(org.equals("any") || required.equals(has))) {
                return new Verdict(false, Reason.ORGANIZATION, where);
            }
        }
        if (!token.scopes().containsAll(rule.scopes())) {
            return new Verdict(false, Reason.SCOPES, where);
        }
        if (!token.roles(rules.rolesClaim()).containsAll(rule.roles())) {
            return new Verdict(false, Reason.ROLES, where);
        }
        if (("deny".equals(rule.actor()) && token.carriesAct()) || ("require".equals(rule.actor()) && !token.hasActor())) {
            return new Verdict(false, Reason.ACTOR, where);
        }
        List<String> clients = rule.clients().equals(List.of("any")) ? List.of()
                : rule.clients().isEmpty() ? rules.defaultClients() : rule.clients();
        if (!clients.isEmpty() && (token.clientId() == null || !clients.contains(token.clientId()))) {
            return new Verdict(false, Reason.CLIENT, where);
        }
        if (("user".equals(rule.subject()) && token.isMachine()) || ("m2m".equals(rule.subject()) && !token.isMachine())) {
            return new Verdict(false, Reason.SUBJECT_KIND, where);
        }
        return new Verdict(true, Reason.RULE_SATISFIED, where);
    }

    /** "/a/b" to [a, b], "/" to []; null when a segment is empty, "." or "..". */
    static List<String> segments(String path) {
        if (path.equals("/")) {
            return List.of();
        }
        List<String> segments = List.of(path.substring(1).split("/", -1));
        for (String s : segments) {
            if (s.isEmpty() || s.equals(".") || s.equals("..")) {
                return null;
            }
        }
        return segments;
    }

    /** The variables a pattern captures from the segments, or null when it does not match. */
    static Map<String, String> match(String pattern, List<String> path) {
        List<String> want = segments(pattern);
        boolean rest = !want.isEmpty() && want.get(want.size() - 1).equals("**");
        if (rest) {
            want = want.subList(0, want.size() - 1);
        }
        if (rest ? path.size() < want.size() : path.size() != want.size()) {
            return null;
        }
        Map<String, String> variables = new HashMap<>();
        for (int i = 0; i < want.size(); i++) {
            String w = want.get(i);
            if (w.startsWith("{")) {
                variables.put(w.substring(1, w.length() - 1), path.get(i));
            } else if (!w.equals("*") && !w.equals(path.get(i))) {
                return null;
            }
        }
        return variables;
    }

    /** The audience template with each {@code {var}} replaced by the captured segment. */
    static String fill(String template, Map<String, String> variables) {
        String s = template;
        for (Map.Entry<String, String> v : variables.entrySet()) {
            s = s.replace("{" + v.getKey() + "}", v.getValue());
        }
        return s;
    }
}
