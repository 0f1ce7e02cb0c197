package dev.orgtoken.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import dev.orgtoken.Requirements.ActorPolicy;
import dev.orgtoken.Requirements.SubjectKind;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's rules-file keys: each compiles into the rule's {@link Requirements} (roles, actor,
 * clients with the file's default, subject, tenants), the top-level {@code tenants},
 * {@code clients}, {@code cors-preflight} and {@code audit}, and every mistake stops loading at its
 * line.
 */
class AuthorizationRulesFileTest {
    private static final String ORG_API = "https://api.example.com/org";
    private static final String HEAD = """
            logto:
              endpoint: https://tenant.logto.app
              roles-claim: roles
            audience: https://api.example.com/org
            rules:
            """;   // five lines: the first rule is on line 6

    private static RuleSet load(String yaml) {
        return load(yaml, Map.of());
    }

    private static RuleSet load(String yaml, Map<String, String> vars) {
        return RuleSet.load("rules.yaml", new StringReader(yaml), vars::get);
    }

    private static void assertError(String yaml, int line, String problem) {
        RulesFileException e = assertThrows(RulesFileException.class, () -> load(yaml));
        assertEquals(problem, e.problem());
        assertEquals(line, e.line(), "line of: " + e.getMessage());
    }

    private static Requirements requirements(RuleSet set, String method, String path) {
        return assertInstanceOf(RuleDecision.Protected.class, set.match(method, path)).requirements();
    }

    @Test
    void eachKeyBecomesPartOfTheRulesRequirements() {
        RuleSet set = load(HEAD + """
                  - path: /billing
                    roles: [admin, billing]
                    actor: deny
                    clients: [admin-console]
                    subject: user
                    tenants: [default]
                  - path: /jobs
                    subject: m2m
                    actor: require
                """);
        assertEquals(Requirements.audience(ORG_API).roles("admin", "billing").actor(ActorPolicy.DENY)
                .clients("admin-console").subject(SubjectKind.USER).tenants("default"), requirements(set, "GET", "/billing"));
        assertEquals(Requirements.audience(ORG_API).actor(ActorPolicy.REQUIRE).subject(SubjectKind.M2M),
                requirements(set, "GET", "/jobs"));
        PathRule billing = set.rules().get(0);
        assertEquals(Set.of("admin", "billing"), billing.roles());
        assertEquals("rules.yaml:6", set.location(billing));
        assertEquals("unmatched", set.location(null));
        assertTrue(billing.toString().contains("roles=[admin, billing] actor=deny clients=[admin-console] subject=user"
                + " tenants=[default]"), billing.toString());
    }

    @Test
    void theFilesClientListIsTheDefaultARuleReplacesOrLifts() {
        RuleSet set = load("""
                logto:
                  endpoint: https://tenant.logto.app
                audience: https://api.example.com/org
                clients: [spa, cli]
                unmatched: authenticated
                rules:
                  - path: /a
                  - path: /b
                    clients: [admin-console]
                  - path: /c
                    clients: any
                """);
        assertEquals(Set.of("spa", "cli"), set.defaultClients());
        assertEquals(Set.of("spa", "cli"), requirements(set, "GET", "/a").clients());
        assertEquals(Set.of("admin-console"), requirements(set, "GET", "/b").clients());
        assertEquals(Set.of(), requirements(set, "GET", "/c").clients(), "clients: any");
        assertEquals(Set.of("spa", "cli"), requirements(set, "GET", "/elsewhere").clients(), "unmatched: authenticated");
    }

    /** A substituted value never widens a rule: {@code clients: ${X}} with X=any is the client whose id is "any". */
    @Test
    void aSubstitutedClientIsALiteralId() {
        RuleSet set = load(HEAD + """
                  - path: /a
                    clients: ${CLIENT}
                """, Map.of("CLIENT", "any"));
        assertEquals(Set.of("any"), requirements(set, "GET", "/a").clients());
    }

    @Test
    void severalTenants() {
        RuleSet set = load("""
                logto:
                  roles-claim: roles
                  jwks-refresh-cooldown: 10s
                tenants:
                  cloud:
                    endpoint: https://acme.logto.app
                  selfhosted:
                    endpoint: https://auth.acme.com
                    roles-claim: custom.roles
                    jwks-refresh-cooldown: 1m
                audience: https://api.example.com/org
                rules:
                  - path: /a
                    tenants: [cloud]
                    roles: [admin]
                  - path: /b
                """);
        assertEquals(Set.of("cloud"), requirements(set, "GET", "/a").tenants());
        assertEquals(Set.of(), requirements(set, "GET", "/b").tenants());
        try (OrganizationTokenVerifier v = set.verifierBuilder().orElseThrow().build()) {
            assertEquals(Set.of("cloud", "selfhosted"), v.tenants());
            assertEquals(Set.of("https://acme.logto.app/oidc", "https://auth.acme.com/oidc"), v.issuers());
            assertEquals("roles", v.rolesClaim("cloud").orElseThrow());
            assertEquals("custom.roles", v.rolesClaim("selfhosted").orElseThrow());
            assertEquals(60, v.retryAfter().toSeconds(), "the longest cooldown");
            set.checkFits(v);
        }
    }

    @Test
    void corsPreflightAndAudit() {
        assertEquals(CorsPreflight.REFUSE, load(HEAD + "  - path: /a\n").corsPreflight(), "refuse is the default");
        RuleSet set = load("""
                logto:
                  endpoint: https://tenant.logto.app
                audience: https://api.example.com/org
                cors-preflight: pass
                audit:
                  - dev.orgtoken.servlet.Slf4jAuditLog
                  - com.example.Audit$Inner
                rules:
                  - path: /a
                """);
        assertEquals(CorsPreflight.PASS, set.corsPreflight());
        assertEquals(List.of(new AuditListenerClass("dev.orgtoken.servlet.Slf4jAuditLog", "rules.yaml:6"),
                new AuditListenerClass("com.example.Audit$Inner", "rules.yaml:7")), set.auditListeners());
        assertEquals(List.of(new AuditListenerClass("a.B", "code")), RuleSet.builder().defaultAudience(ORG_API)
                .auditListener("a.B").rule(PathRule.builder("/a").build()).build().auditListeners());
    }

    @Test
    void mistakesStopLoadingAtTheirLine() {
        assertError("""
                logto:
                  endpoint: https://tenant.logto.app
                audience: https://api.example.com/org
                rules:
                  - path: /a
                    roles: [admin]
                """, 6, "'roles' needs a roles claim to read them from: set 'roles-claim' in 'logto' (or on the tenants"
                + " this rule accepts)");
        assertError(HEAD + "  - path: /a\n    tenants: [defualt]\n", 7,
                "unknown tenant 'defualt' (did you mean 'default'?) (the tenants are default)");
        assertError(HEAD + "  - path: /a\n    public: true\n    roles: [admin]\n", 8,
                "a public rule must not set 'roles' (contradictory: public means no token is needed)");
        assertError(HEAD + "  - path: /a\n    public: true\n    actor: deny\n", 8,
                "a public rule must not set 'actor' (contradictory: public means no token is needed)");
        assertError(HEAD + "  - path: /a\n    actor: forbid\n", 7,
                "unknown value 'forbid' for 'actor' (expected allow, deny, require)");
        assertError(HEAD + "  - path: /a\n    subject: machine\n", 7,
                "unknown value 'machine' for 'subject' (expected any, user, m2m)");
        assertError(HEAD + "  - path: /a\n    clients: []\n", 7,
                "'clients' must not be empty (leave it out for the default)");
        assertError(HEAD + "  - path: /a\n    clients: admin-console\n", 7,
                "'clients' must be a list of client ids, like clients: [admin-console], or 'any'");
        assertError(HEAD + "  - path: /a\n    roles: [admin, admin]\n", 7, "role 'admin' is listed twice");
        assertError(HEAD + "  - path: /a\n    roles: [\"admin billing\"]\n", 7,
                "role 'admin billing' must not contain whitespace, quotes, backslashes or control characters (list roles"
                        + " separately: [admin, billing])");
        assertError("""
                logto:
                  endpoint: https://tenant.logto.app
                cors-preflight: allow
                audience: x
                rules:
                  - path: /a
                """, 3, "unknown value 'allow' for 'cors-preflight' (expected refuse, pass)");
        assertError("""
                logto:
                  endpoint: https://tenant.logto.app
                audit: [com.example.Audit, "not a class"]
                audience: x
                rules:
                  - path: /a
                """, 3, "'not a class' is not a Java class name");
        assertError("""
                logto:
                  endpoint: https://tenant.logto.app
                  roles-claim: "a..b"
                audience: x
                rules:
                  - path: /a
                """, 3, "'roles-claim' 'a..b' has an empty segment (a dotted path is like custom.roles)");
    }

    @Test
    void tenantMistakesStopLoadingAtTheirLine() {
        String rules = "audience: x\nrules:\n  - path: /a\n";
        assertError("""
                logto:
                  endpoint: https://a.logto.app
                tenants:
                  b:
                    endpoint: https://b.logto.app
                """ + rules, 2, "'endpoint' belongs to each tenant when 'tenants' is set; 'logto' then holds only what"
                + " the tenants share");
        assertError("""
                tenants:
                  a:
                    endpoint: https://a.logto.app
                  b:
                    jwks-ttl: 5m
                """ + rules, 5, "tenant 'b': 'endpoint' is required, or both 'issuers' and 'jwks-uri'");
        assertError("""
                tenants:
                  Cloud:
                    endpoint: https://a.logto.app
                """ + rules, 2, "tenant name 'Cloud' must be lower-case letters, digits, '-' and '_', starting with a"
                + " letter or digit (at most 63 characters)");
        assertError("""
                tenants:
                  a:
                    endpoint: https://a.logto.app
                  b:
                    issuers: [https://a.logto.app/oidc]
                    jwks-uri: https://b.logto.app/oidc/jwks
                """ + rules, 2, "tenants 'a' and 'b' both trust issuer https://a.logto.app/oidc: a token must name"
                + " exactly one tenant");
        assertError("""
                tenants:
                  a:
                    endpoint: https://a.logto.app
                    clock-skew: 5s
                """ + rules, 4, "unknown key 'clock-skew' (expected one of: endpoint, issuers, jwks-uri, jwks-ttl,"
                + " jwks-refresh-cooldown, jwks-stale-for, jwks-connect-timeout, jwks-request-timeout, allow-insecure-http,"
                + " roles-claim)");
        assertError("tenants: [a, b]\n" + rules, 1, "'tenants' must be a mapping from tenant names to their settings,"
                + " like 'tenants: {cloud: {endpoint: https://acme.logto.app}}', found a list");
        assertError("""
                tenants:
                  a:
                    endpoint: https://a.logto.app
                    jwks-ttl: 0s
                """ + rules, 4, "'jwks-ttl' must be at least 1s, was PT0S");
    }

    /** A verifier given to the filter must know the tenants the rules name, and read roles where rules need them. */
    @Test
    void aSuppliedVerifierMustFitTheRules() {
        RuleSet set = RuleSet.builder().defaultAudience(ORG_API)
                .rule(PathRule.builder("/a").roles("admin").build())
                .rule(PathRule.builder("/b").tenants("cloud").build()).build();
        try (OrganizationTokenVerifier plain = OrganizationTokenVerifier.builder().logtoEndpoint("https://t.logto.app")
                .build()) {
            assertEquals("PathRule[/a roles=[admin]]: 'roles' needs a roles claim to read them from: set 'roles-claim' in"
                    + " 'logto' (or on the tenants this rule accepts)",
                    assertThrows(IllegalArgumentException.class, () -> set.checkFits(plain)).getMessage());
        }
        try (OrganizationTokenVerifier cloud = OrganizationTokenVerifier.builder().rolesClaim("roles")
                .tenant("cloud", t -> t.logtoEndpoint("https://t.logto.app")).build()) {
            set.checkFits(cloud);
        }
        try (OrganizationTokenVerifier other = OrganizationTokenVerifier.builder().rolesClaim("roles")
                .logtoEndpoint("https://t.logto.app").build()) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> set.checkFits(other)).getMessage()
                    .contains("unknown tenant 'cloud'"));
        }
    }
}
