package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.Problems.NO_TOKEN;
import static dev.orgtoken.servlet.Problems.assertProblem;
import static dev.orgtoken.servlet.Problems.insufficientScope;
import static dev.orgtoken.servlet.Problems.invalidToken;
import static dev.orgtoken.servlet.TestRules.GLOBAL_API;
import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.rules.UnmatchedPolicy;
import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.SigningKey;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regression tests for the outside review's findings 1, 3, 5, 7 and 9, each on Jetty 12 and
 * Tomcat 10.1 and, where the {@code unmatched} policy could change the answer, under all three
 * policies. (Finding 2, dispatches, is {@code DispatchTest}; 4, 6 and 8 are below the servlet
 * layer: {@code JwksSingleFlightTest}, {@code SubstitutionSafetyTest},
 * {@code ClientCredentialsTokenSourceTest}.) Each test failed before its fix.
 */
class ReviewFindingsTest {
    private static final String MEMBERS_O1 = "/api/organizations/o1/members";
    /** The suite's rules plus one rule whose organization comes from ${ORG} (finding 7). */
    private static final String EXTRA_RULE = """
              - path: /tenants/{organizationId}/**
                organization: ${ORG}
            """;

    private static LogtoTestIssuer issuer;
    private static final List<Deployment> running = new ArrayList<>();

    /** One deployment per container and policy. */
    record Target(UnmatchedPolicy policy, Deployment deployment) {
        @Override
        public String toString() {
            return deployment.name() + ", unmatched: " + policy.fileValue();
        }
    }

    private static final List<Target> targets = new ArrayList<>();

    @BeforeAll
    static void start() {
        issuer = LogtoTestIssuer.start();
        for (UnmatchedPolicy policy : UnmatchedPolicy.values()) {
            RuleSet rules = rules(issuer, policy, "any");
            List<Deployment> both = Deployment.onBoth(() -> new OrganizationTokenFilter(rules));
            running.addAll(both);
            both.forEach(d -> targets.add(new Target(policy, d)));
        }
    }

    static RuleSet rules(LogtoTestIssuer issuer, UnmatchedPolicy policy, String org) {
        String text = TestRules.text().replace("unmatched: deny", "unmatched: " + policy.fileValue()) + EXTRA_RULE;
        return RuleSet.load("rules.yaml", new StringReader(text),
                Map.of("LOGTO_ENDPOINT", issuer.endpoint().toString(), "ORG", org)::get);
    }

    @AfterAll
    static void stop() {
        Deployment.stopAll(running);
        if (issuer != null) {
            issuer.close();
        }
    }

    static Stream<Target> targets() {
        return targets.stream();
    }

    private static Answer send(Target t, String method, String path, String token) {
        return token == null ? RawHttp.send(t.deployment().container().port(), method + " " + path + " HTTP/1.1")
                : RawHttp.send(t.deployment().container().port(), method + " " + path + " HTTP/1.1",
                        "Authorization: Bearer " + token);
    }

    // ------------------------------------------------------------------ 1. trailing slash

    /**
     * Under {@code unmatched: authenticated} a member token without {@code org:create} got 201 on
     * {@code POST /api/organizations/}; under {@code public} it needed no token; o1's token read
     * {@code /api/organizations/o2/members/}. A trailing slash is now decided by the rule of the
     * path without it, under every policy.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aTrailingSlashIsDecidedByTheRuleWithoutIt(Target t) {
        Deployment d = t.deployment();
        int before = d.hits();
        String member = issuer.organizationResourceToken("member", ORG_API, "o1", "read:members").sign();
        for (String path : new String[] {"/api/organizations", "/api/organizations/"}) {
            assertProblem(send(t, "POST", path, member), 401, invalidToken("token is not for this audience"),
                    "token is not for this audience", member);
            assertProblem(send(t, "POST", path, null), 401, NO_TOKEN, "a bearer token is required");
            String global = issuer.globalApiToken("member", GLOBAL_API, "org:read").sign();
            assertProblem(send(t, "POST", path, global), 403,
                    insufficientScope("token lacks required scopes", "org:create"), "token lacks required scopes",
                    global);
        }
        for (String path : new String[] {"/api/organizations/o2/members", "/api/organizations/o2/members/"}) {
            assertProblem(send(t, "GET", path, member), 403,
                    insufficientScope("token is for another organization", "read:members"),
                    "token is for another organization", member);
        }
        assertEquals(before, d.hits());

        // The rule still lets the right token through, and the application sees the path as sent.
        assertEquals(200, send(t, "GET", MEMBERS_O1 + "/", member).status());
        assertEquals(MEMBERS_O1 + "/", d.app().last().path());
        String creator = issuer.globalApiToken("creator", GLOBAL_API, "org:create").sign();
        assertEquals(200, send(t, "POST", "/api/organizations/", creator).status());
        assertEquals("creator", d.app().last().principal());
        assertEquals(before + 2, d.hits());
    }

    // ------------------------------------------------------------------ 9. a method no rule lists

    /**
     * Under {@code unmatched: authenticated}, DELETE on the GET-only members path needed only a
     * default-audience token (under {@code public}, none). A path that rules cover is never left to
     * the {@code unmatched} policy: a method none of them lists is 405, under every policy, with
     * the methods they do list.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aMethodNoRuleListsIsRefusedUnderEveryPolicy(Target t) {
        Deployment d = t.deployment();
        int before = d.hits();
        String plain = issuer.globalApiToken("user-1", ORG_API).sign();
        String member = issuer.organizationResourceToken("member", ORG_API, "o1", "read:members").sign();
        for (String token : new String[] {null, plain, member}) {
            for (String method : new String[] {"DELETE", "POST", "PUT", "get"}) {
                Answer answer = send(t, method, MEMBERS_O1, token);
                assertProblem(answer, 405, null, "no rule allows this method on this path", token);
                assertEquals("GET, HEAD", answer.header("Allow"));
            }
            Answer answer = send(t, "GET", "/api/organizations/", token);
            assertProblem(answer, 405, null, "no rule allows this method on this path", token);
            assertEquals("POST", answer.header("Allow"));
        }
        assertEquals(before, d.hits());
    }

    /** What {@code unmatched} still decides: a path no rule covers. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void unmatchedDecidesOnlyPathsNoRuleCovers(Target t) {
        Deployment d = t.deployment();
        String plain = issuer.globalApiToken("user-1", ORG_API).sign();
        Answer withToken = send(t, "DELETE", "/admin", plain);
        Answer without = send(t, "DELETE", "/admin/", null);
        switch (t.policy()) {
            case DENY -> {
                assertProblem(withToken, 403, null, "no rule allows this request", plain);
                assertProblem(without, 403, null, "no rule allows this request");
            }
            case AUTHENTICATED -> {
                assertEquals(200, withToken.status());
                assertProblem(without, 401, NO_TOKEN, "a bearer token is required");
            }
            case PUBLIC -> {
                assertEquals(200, withToken.status());
                assertEquals(200, without.status());
                assertEquals("/admin/", d.app().last().path());
            }
        }
    }

    // ------------------------------------------------------------------ 5. sender-constrained tokens

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aSenderConstrainedTokenIsNotABearerToken(Target t) {
        int before = t.deployment().hits();
        for (Map<String, Object> cnf : List.<Map<String, Object>>of(Map.of("jkt", "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"),
                Map.of("x5t#S256", "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"))) {
            String bound = issuer.globalApiToken("user-1", ORG_API).claim("cnf", cnf).sign();
            String description = "token is bound to a key (cnf); only bearer tokens are accepted";
            assertProblem(send(t, "GET", "/api/me", bound), 401, invalidToken(description), description, bound);
        }
        assertEquals(before, t.deployment().hits());
    }

    // ------------------------------------------------------------------ 7. substituted values are literal

    /** {@code organization: ${ORG}} with {@code ORG=any} meant any organization; now it is the id "any". */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aSubstitutedOrganizationIsALiteralId(Target t) {
        int before = t.deployment().hits();
        String o1 = issuer.organizationResourceToken("member", ORG_API, "o1").sign();
        assertProblem(send(t, "GET", "/tenants/o1/x", o1), 403,
                "Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"token is for another organization\"",
                "token is for another organization", o1);
        assertEquals(before, t.deployment().hits());
        String any = issuer.organizationResourceToken("member", ORG_API, "any").sign();
        assertEquals(200, send(t, "GET", "/tenants/any/x", any).status());
    }

    // ------------------------------------------------------------------ 3. an emptied key set

    /**
     * A well-formed JWKS with no usable key (the issuer withdrew its last key, or rotated to a key
     * type the allow-list refuses) was treated as a failed fetch, so the withdrawn key and the
     * tokens cached under it stayed trusted for the 24 h stale period. Now the set is replaced and
     * every token is refused from the next refresh on: here forced at once by a token with a new kid.
     */
    @Test
    void anEmptiedKeySetIsRefusedFromTheNextRefreshOn() throws Exception {
        // No refresh cooldown, so the refresh a new kid forces happens at once, without waiting.
        for (String body : new String[] {"{\"keys\":[]}",
                "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\",\"kid\":\"hs\",\"alg\":\"HS256\"}]}"}) {
            for (Supplier<Container> kind : Container.kinds()) {
                try (LogtoTestIssuer own = LogtoTestIssuer.start()) {
                    RuleSet rules = RuleSet.load("rules.yaml", new StringReader(TestRules.text()
                            .replace("jwks-refresh-cooldown: 1s", "jwks-refresh-cooldown: 0s")),
                            Map.of("LOGTO_ENDPOINT", own.endpoint().toString())::get);
                    Deployment d = Deployment.start(kind, Container.FilterSetup.instance(new OrganizationTokenFilter(rules)));
                    try {
                        String cached = own.globalApiToken("user-1", ORG_API).sign();
                        int port = d.container().port();
                        assertEquals(200, RawHttp.send(port, "GET /api/me HTTP/1.1", "Authorization: Bearer " + cached).status());
                        assertEquals(200, RawHttp.send(port, "GET /api/me HTTP/1.1", "Authorization: Bearer " + cached).status());

                        own.respondWithBody("application/json", body);
                        String newKid = own.globalApiToken("user-1", ORG_API)
                                .signedWith(SigningKey.generate(KeyType.EC_P384)).sign();
                        Answer refresh = RawHttp.send(port, "GET /api/me HTTP/1.1", "Authorization: Bearer " + newKid);
                        assertProblem(refresh, 401, invalidToken("token signing key is unknown"),
                                "token signing key is unknown", newKid);

                        Answer answer = RawHttp.send(port, "GET /api/me HTTP/1.1", "Authorization: Bearer " + cached);
                        assertProblem(answer, 401, invalidToken("token signing key is unknown"),
                                "token signing key is unknown", cached);
                        assertEquals(2, d.hits(), d.name());
                    } finally {
                        d.stop();
                    }
                }
            }
        }
    }
}
