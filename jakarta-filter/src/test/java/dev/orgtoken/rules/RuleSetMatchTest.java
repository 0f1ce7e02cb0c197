package dev.orgtoken.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuleSetMatchTest {
    private static final String ENDPOINT = "https://tenant.logto.app";
    private static final String DEFAULT_AUDIENCE = "https://api.example.com/org";

    private static RuleSet.Builder base() {
        return RuleSet.builder().logtoEndpoint(ENDPOINT).defaultAudience(DEFAULT_AUDIENCE);
    }

    private static PathRule ruleOf(RuleSet set, String method, String path) {
        return set.match(method, path).map(RuleMatch::rule).orElse(null);
    }

    @Test
    void firstMatchingRuleWinsInOrder() {
        PathRule specific = PathRule.builder("/api/things/special").publicAccess(true).build();
        PathRule general = PathRule.builder("/api/things/*").scopes("read").build();
        PathRule catchAll = PathRule.builder("/**").scopes("admin").build();
        RuleSet set = base().rule(specific).rule(general).rule(catchAll).build();

        assertSame(specific, ruleOf(set, "GET", "/api/things/special"));
        assertSame(general, ruleOf(set, "GET", "/api/things/other"));
        assertSame(catchAll, ruleOf(set, "GET", "/elsewhere"));

        RuleSet reversed = base().rule(catchAll).rule(general).rule(specific).build();
        assertSame(catchAll, ruleOf(reversed, "GET", "/api/things/special"));
    }

    @Test
    void methodFilterSkipsToLaterRules() {
        PathRule post = PathRule.builder("/api/organizations").methods("POST").scopes("org:create").build();
        PathRule any = PathRule.builder("/api/organizations").scopes("org:read").build();
        RuleSet set = base().rule(post).rule(any).build();

        assertSame(post, ruleOf(set, "POST", "/api/organizations"));
        assertSame(any, ruleOf(set, "GET", "/api/organizations"));
        assertSame(any, ruleOf(set, "DELETE", "/api/organizations"));
    }

    @Test
    void methodsAreCaseSensitive() {
        PathRule post = PathRule.builder("/x").methods("POST").build();
        RuleSet set = base().rule(post).build();
        assertTrue(set.match("post", "/x").isEmpty());
        assertSame(post, ruleOf(set, "POST", "/x"));
    }

    @Test
    void getCoversHeadButNotTheOtherWay() {
        PathRule get = PathRule.builder("/a").methods("GET").build();
        PathRule head = PathRule.builder("/b").methods("HEAD").build();
        RuleSet set = base().rule(get).rule(head).build();

        assertSame(get, ruleOf(set, "HEAD", "/a"));
        assertSame(get, ruleOf(set, "GET", "/a"));
        assertTrue(set.match("POST", "/a").isEmpty());
        assertTrue(set.match("GET", "/b").isEmpty());
        assertEquals(Set.of("GET"), get.methods(), "declared methods stay as written");
    }

    @Test
    void ruleWithoutMethodsAppliesToAll() {
        PathRule all = PathRule.builder("/a").build();
        RuleSet set = base().rule(all).build();
        for (String m : List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND")) {
            assertSame(all, ruleOf(set, m, "/a"), m);
        }
        assertTrue(all.methods().isEmpty());
    }

    @Test
    void unmatchedPathsAndInvalidPathsGiveEmpty() {
        RuleSet set = base().rule(PathRule.builder("/**").build()).build();
        assertTrue(set.match("GET", "/a//b").isEmpty());
        assertTrue(set.match("GET", "/a/../b").isEmpty());
        assertTrue(set.match("GET", "a").isEmpty());
        assertTrue(set.match("GET", "/a//").isEmpty());
        assertTrue(set.match("GET", "/a/b").isPresent());
        // One trailing slash is decided like the path without it (outside review, finding 1).
        assertTrue(set.match("GET", "/a/").isPresent());

        RuleSet narrow = base().rule(PathRule.builder("/a").build()).build();
        assertTrue(narrow.match("GET", "/b").isEmpty());
        assertEquals(UnmatchedPolicy.DENY, narrow.unmatched());
    }

    @Test
    void matchCarriesCapturedVariablesAndResolvesTemplates() {
        PathRule members = PathRule.builder("/api/organizations/{organizationId}/members/**")
                .methods("GET").organization("{organizationId}").scopes("read:members").build();
        PathRule settings = PathRule.builder("/orgs/{organizationId}/settings")
                .audience("urn:logto:organization:{organizationId}").scopes("manage:settings").build();
        RuleSet set = base().rule(members).rule(settings).build();

        RuleMatch m = set.match("GET", "/api/organizations/o-42/members/u1").orElseThrow();
        assertEquals(Map.of("organizationId", "o-42"), m.variables());
        assertEquals(Optional.of("o-42"), m.requiredOrganization());
        assertTrue(m.organizationRequired());
        assertEquals(Optional.empty(), m.audience());
        assertEquals(DEFAULT_AUDIENCE, m.audience(DEFAULT_AUDIENCE));
        assertEquals(Set.of("read:members"), m.scopes());
        assertFalse(m.isPublic());

        RuleMatch s = set.match("PUT", "/orgs/o-7/settings").orElseThrow();
        assertEquals(Optional.of("urn:logto:organization:o-7"), s.audience());
        assertEquals("urn:logto:organization:o-7", s.audience(DEFAULT_AUDIENCE));
        assertEquals(Optional.empty(), s.requiredOrganization());
        assertFalse(s.organizationRequired());
        assertEquals(OrganizationRule.none(), s.organization());
    }

    @Test
    void audienceTemplateWithSeveralPlaceholders() {
        PathRule r = PathRule.builder("/t/{tenant}/r/{region}").audience("https://{region}.example.com/{tenant}/api").build();
        RuleMatch m = base().rule(r).build().match("GET", "/t/acme/r/eu").orElseThrow();
        assertEquals("https://eu.example.com/acme/api", m.audience(null));
    }

    @Test
    void organizationAnyAndLiteral() {
        PathRule any = PathRule.builder("/any").organization("any").build();
        PathRule literal = PathRule.builder("/lit").organization("org_123").build();
        RuleSet set = base().rule(any).rule(literal).build();

        RuleMatch a = set.match("GET", "/any").orElseThrow();
        assertTrue(a.organizationRequired());
        assertEquals(Optional.empty(), a.requiredOrganization());
        assertEquals(OrganizationRule.any(), a.organization());

        RuleMatch l = set.match("GET", "/lit").orElseThrow();
        assertTrue(l.organizationRequired());
        assertEquals(Optional.of("org_123"), l.requiredOrganization());
        assertEquals(new OrganizationRule.Literal("org_123"), l.organization());
    }

    @Test
    void audienceWithoutDefaultNeedsOneGiven() {
        PathRule r = PathRule.builder("/x").audience("https://a").build();
        RuleMatch m = RuleSet.builder().logtoEndpoint(ENDPOINT).rule(r).build().match("GET", "/x").orElseThrow();
        assertEquals("https://a", m.audience(null));

        PathRule p = PathRule.builder("/p").publicAccess(true).build();
        RuleMatch pm = RuleSet.builder().logtoEndpoint(ENDPOINT).rule(p).build().match("GET", "/p").orElseThrow();
        assertTrue(pm.isPublic());
        assertThrows(IllegalStateException.class, () -> pm.audience(null));
    }

    @Test
    void ruleMatchRejectsVariablesThatDoNotFitThePath() {
        PathRule r = PathRule.builder("/o/{id}").build();
        assertThrows(IllegalArgumentException.class, () -> new RuleMatch(r, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new RuleMatch(r, Map.of("other", "1")));
        assertEquals(Map.of("id", "1"), new RuleMatch(r, Map.of("id", "1")).variables());
    }

    @Test
    void fiftyRulesMatchTheLastOne() {
        RuleSet.Builder b = base();
        for (int i = 0; i < 49; i++) {
            b.rule(PathRule.builder("/api/v1/resource" + i + "/{id}").methods("GET").scopes("s" + i).build());
        }
        PathRule last = PathRule.builder("/api/v1/{kind}/{id}/**").build();
        RuleSet set = b.rule(last).build();
        assertEquals(50, set.rules().size());
        RuleMatch m = set.match("POST", "/api/v1/resource3/9/x").orElseThrow();
        assertSame(last, m.rule());
        assertEquals(Map.of("kind", "resource3", "id", "9"), m.variables());
        assertEquals("s48", set.match("GET", "/api/v1/resource48/1").orElseThrow().scopes().iterator().next());
    }

    @Test
    void settingsDefaults() {
        RuleSet set = base().rule(PathRule.builder("/a").build()).build();
        assertEquals("api", set.realm());
        assertFalse(set.queryTokenAllowed());
        assertEquals(UnmatchedPolicy.DENY, set.unmatched());
        assertEquals(Optional.of(DEFAULT_AUDIENCE), set.defaultAudience());
        assertEquals(List.of("https://tenant.logto.app/oidc"), set.logto().issuers());
        assertEquals("https://tenant.logto.app/oidc/jwks", set.logto().jwksUri().toString());
        assertTrue(set.logto().clockSkew().isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> set.rules().add(null));
    }
}
