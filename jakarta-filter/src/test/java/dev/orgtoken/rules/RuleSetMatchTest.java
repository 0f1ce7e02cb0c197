package dev.orgtoken.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link RuleSet#match}: the rules compiled to requirements, and the sealed decision it returns. */
class RuleSetMatchTest {
    private static final String ENDPOINT = "https://tenant.logto.app";
    private static final String DEFAULT_AUDIENCE = "https://api.example.com/org";

    private static RuleSet.Builder base() {
        return RuleSet.builder().logtoEndpoint(ENDPOINT).defaultAudience(DEFAULT_AUDIENCE);
    }

    private static PathRule ruleOf(RuleSet set, String method, String path) {
        RuleDecision d = set.match(method, path);
        return d instanceof RuleDecision.Refused ? null : d.rule();
    }

    private static Requirements requirements(RuleSet set, String method, String path) {
        return assertInstanceOf(RuleDecision.Protected.class, set.match(method, path)).requirements();
    }

    private static boolean refused(RuleSet set, String method, String path) {
        return set.match(method, path) instanceof RuleDecision.Refused;
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
        assertTrue(refused(set, "post", "/x"));
        assertSame(post, ruleOf(set, "POST", "/x"));
    }

    @Test
    void getCoversHeadButNotTheOtherWay() {
        PathRule get = PathRule.builder("/a").methods("GET").build();
        PathRule head = PathRule.builder("/b").methods("HEAD").build();
        RuleSet set = base().rule(get).rule(head).build();

        assertSame(get, ruleOf(set, "HEAD", "/a"));
        assertSame(get, ruleOf(set, "GET", "/a"));
        assertTrue(refused(set, "POST", "/a"));
        assertTrue(refused(set, "GET", "/b"));
        assertEquals(Set.of("GET"), get.methods(), "declared methods stay as written");
    }

    /** Outside review, finding 9: a covered path with an unlisted method never reaches {@code unmatched}. */
    @Test
    void aMethodNoCoveringRuleListsIsRefusedWhateverUnmatchedSays() {
        for (UnmatchedPolicy policy : UnmatchedPolicy.values()) {
            RuleSet set = base().unmatched(policy)
                    .rule(PathRule.builder("/a").methods("GET").build())
                    .rule(PathRule.builder("/a/**").methods("PUT", "GET").scopes("w").build())
                    .build();
            RuleDecision.Refused r = assertInstanceOf(RuleDecision.Refused.class, set.match("DELETE", "/a"));
            assertEquals(RuleDecision.Refused.Reason.METHOD_NOT_ALLOWED, r.reason());
            assertEquals(List.of("GET", "HEAD", "PUT"), List.copyOf(r.allowedMethods()), "in rule order");
        }
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
    void unmatchedPathsAndInvalidPathsAreRefused() {
        RuleSet set = base().unmatched(UnmatchedPolicy.PUBLIC).rule(PathRule.builder("/**").build()).build();
        // Not a normalized path: refused whatever the policy, never public.
        for (String invalid : List.of("/a//b", "/a/../b", "a", "/a//")) {
            RuleDecision.Refused r = assertInstanceOf(RuleDecision.Refused.class, set.match("GET", invalid), invalid);
            assertEquals(RuleDecision.Refused.Reason.NO_MATCHING_RULE, r.reason());
        }
        assertInstanceOf(RuleDecision.Protected.class, set.match("GET", "/a/b"));
        // One trailing slash is decided like the path without it (outside review, finding 1).
        assertInstanceOf(RuleDecision.Protected.class, set.match("GET", "/a/"));

        RuleSet narrow = base().rule(PathRule.builder("/a").build()).build();
        assertEquals(UnmatchedPolicy.DENY, narrow.unmatched());
        RuleDecision.Refused r = assertInstanceOf(RuleDecision.Refused.class, narrow.match("GET", "/b"));
        assertEquals(RuleDecision.Refused.Reason.NO_MATCHING_RULE, r.reason());
        assertNull(r.rule());
    }

    @Test
    void theUnmatchedPolicyDecidesOnlyPathsNoRuleCovers() {
        PathRule a = PathRule.builder("/a").build();
        assertInstanceOf(RuleDecision.Public.class, base().unmatched(UnmatchedPolicy.PUBLIC).rule(a).build()
                .match("GET", "/b"));
        RuleDecision.Protected p = assertInstanceOf(RuleDecision.Protected.class,
                base().unmatched(UnmatchedPolicy.AUTHENTICATED).rule(a).build().match("GET", "/b"));
        assertNull(p.rule());
        assertEquals(Requirements.audience(DEFAULT_AUDIENCE), p.requirements());
    }

    @Test
    void rulesCompileToRequirementsWithPathVariablesFilledIn() {
        PathRule members = PathRule.builder("/api/organizations/{organizationId}/members/**")
                .methods("GET").organization("{organizationId}").scopes("read:members").build();
        PathRule settings = PathRule.builder("/orgs/{organizationId}/settings")
                .audience("urn:logto:organization:{organizationId}").scopes("manage:settings").build();
        RuleSet set = base().rule(members).rule(settings).build();

        assertEquals(Requirements.audience(DEFAULT_AUDIENCE).organization("o-42").scopes("read:members"),
                requirements(set, "GET", "/api/organizations/o-42/members/u1"));
        assertEquals(Optional.of("{organizationId}"), members.organization());

        assertEquals(Requirements.audience("urn:logto:organization:o-7").scopes("manage:settings"),
                requirements(set, "PUT", "/orgs/o-7/settings"));
        assertEquals(Optional.empty(), settings.organization());
    }

    @Test
    void fixedRequirementsAreOneSharedDecision() {
        RuleSet set = base().rule(PathRule.builder("/api/me").scopes("profile").build()).build();
        assertSame(set.match("GET", "/api/me"), set.match("POST", "/api/me"), "no allocation per request");
    }

    @Test
    void audienceTemplateWithSeveralPlaceholders() {
        PathRule r = PathRule.builder("/t/{tenant}/r/{region}").audience("https://{region}.example.com/{tenant}/api").build();
        assertEquals(Requirements.audience("https://eu.example.com/acme/api"),
                requirements(base().rule(r).build(), "GET", "/t/acme/r/eu"));
    }

    @Test
    void organizationAnyAndLiteral() {
        PathRule any = PathRule.builder("/any").organization("any").build();
        PathRule literal = PathRule.builder("/lit").organization("org_123").build();
        RuleSet set = base().rule(any).rule(literal).build();

        assertEquals(Requirements.audience(DEFAULT_AUDIENCE).anyOrganization(), requirements(set, "GET", "/any"));
        assertEquals(Optional.of("any"), any.organization());
        assertEquals(Requirements.audience(DEFAULT_AUDIENCE).organization("org_123"), requirements(set, "GET", "/lit"));
        assertEquals(Optional.of("org_123"), literal.organization());
    }

    /** A captured organization or whole audience that is blank ({@code %20}): no token can be for it. */
    @Test
    void aBlankPathValueIsRefused() {
        PathRule org = PathRule.builder("/o/{id}").organization("{id}").build();
        PathRule aud = PathRule.builder("/a/{x}").audience("{x}").build();
        PathRule inside = PathRule.builder("/u/{x}").audience("urn:{x}").build();
        RuleSet set = base().rule(org).rule(aud).rule(inside).build();
        for (String path : List.of("/o/ ", "/o/\u2003", "/a/ ")) {
            RuleDecision.Refused r = assertInstanceOf(RuleDecision.Refused.class, set.match("GET", path), path);
            assertEquals(RuleDecision.Refused.Reason.BLANK_PATH_VALUE, r.reason());
            assertFalse(r.rule() == null);
        }
        // Inside a longer audience the blank value is just part of a string no token carries.
        assertEquals(Requirements.audience("urn: "), requirements(set, "GET", "/u/ "));
    }

    @Test
    void audienceWithoutDefault() {
        PathRule r = PathRule.builder("/x").audience("https://a").build();
        assertEquals(Requirements.audience("https://a"),
                requirements(RuleSet.builder().logtoEndpoint(ENDPOINT).rule(r).build(), "GET", "/x"));

        PathRule p = PathRule.builder("/p").publicAccess(true).build();
        RuleDecision pm = RuleSet.builder().logtoEndpoint(ENDPOINT).rule(p).build().match("GET", "/p");
        assertSame(p, assertInstanceOf(RuleDecision.Public.class, pm).rule());
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
        assertSame(last, ruleOf(set, "POST", "/api/v1/resource3/9/x"));
        assertEquals(Set.of("s48"), requirements(set, "GET", "/api/v1/resource48/1").scopes());
    }

    @Test
    void settingsDefaults() {
        RuleSet set = base().rule(PathRule.builder("/a").build()).build();
        assertEquals("api", set.realm());
        assertFalse(set.queryTokenAllowed());
        assertEquals(UnmatchedPolicy.DENY, set.unmatched());
        assertEquals(Optional.of(DEFAULT_AUDIENCE), set.defaultAudience());
        try (OrganizationTokenVerifier v = set.verifierBuilder().orElseThrow().build()) {
            assertEquals(Set.of("https://tenant.logto.app/oidc"), v.issuers());
            assertEquals(Duration.ofSeconds(30), v.retryAfter());
        }
        assertThrows(UnsupportedOperationException.class, () -> set.rules().add(null));
    }

    /** A rule set built in code for a verifier the caller supplies needs no logto settings. */
    @Test
    void logtoSettingsAreOptional() {
        RuleSet set = RuleSet.builder().defaultAudience(DEFAULT_AUDIENCE).rule(PathRule.builder("/a").build()).build();
        assertEquals(Optional.empty(), set.verifierBuilder());
        // Each call gives a fresh builder with the settings replayed.
        RuleSet withSettings = base().logto(b -> b.clockSkew(Duration.ofSeconds(5))).rule(PathRule.builder("/a").build())
                .build();
        assertFalse(withSettings.verifierBuilder().orElseThrow() == withSettings.verifierBuilder().orElseThrow());
        assertEquals("clockSkew must be at most 5m, was PT6M",
                assertThrows(IllegalArgumentException.class, () -> base().logto(b -> b.clockSkew(Duration.ofMinutes(6))))
                        .getMessage());
    }
}
