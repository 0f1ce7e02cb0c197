package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import dev.orgtoken.TokenRejectedException;
import dev.orgtoken.rules.RuleDecision;
import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.servlet.PathBypassTest.Payload;
import dev.orgtoken.servlet.PathBypassTest.Token;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PathBypassTest}'s payloads (plus a few aimed at the prefix itself) with the filter mapped
 * to {@code /api/*} only and the application servlet to {@code /*}, on both containers.
 *
 * <p><b>The filter only sees what its mapping gives it.</b> The container decides, after its own
 * decoding and normalization, whether a request matches {@code /api/*}; a request it routes
 * elsewhere never meets the filter, whatever its raw URI said. So in this mapping:
 * <ul>
 *   <li>every request that reaches the application on a path under {@code /api} (that is,
 *       {@code /api} or {@code /api/...} as the container routed it) must have passed the filter
 *       with a token that the rule covering that path accepts: asserted through the request
 *       attribute the filter sets, the principal, the payload's expected path, and an independent
 *       check of the token against the rule {@link RuleSet#match} picks for the routed path;</li>
 *   <li>a request the container routes outside {@code /api} is not the filter's business: it
 *       reaches the application unfiltered (no principal, no verified token), even when its raw
 *       URI started with {@code /api} ({@code /api/../admin} on Tomcat, which normalizes it to
 *       {@code /admin}) or spelled the prefix in another case ({@code /API/...}). Protecting those
 *       paths is then up to the application.</li>
 * </ul>
 * <b>Map the filter to {@code /*}</b> (as the README and the sample do) and let the rules decide,
 * with {@code unmatched: deny}: then no path is outside the filter's view, and paths no rule
 * names are refused instead of passed through.
 *
 * <p>Observed (Jetty 12.0.15 / Tomcat 10.1.33; "app/unfiltered X" = reached the application as X
 * without meeting the filter, "C"/"F" = refused by the container/the filter):
 * <pre>
 * payload                                         jetty                     tomcat
 * every payload routed under /api (controls,      as with /*: 400C/400F/403F, or app with the token
 *   shiro, %2e, ;jsessionid, HEAD, FOO, ...)      the rules cover it for (own organization, /api/me)
 * /API/organizations/o1/members, /API/me (o2)     app/unfiltered /API/...   app/unfiltered /API/...
 * /health/../admin, /health%3b/../admin,          app/unfiltered /admin     app/unfiltered /admin
 *   absolute-form /health/../admin, /api/../admin
 * /health/..;/admin, /health/%2e%2e/admin,        400C                      app/unfiltered /admin
 *   /health/.%2e/admin, //health/../admin,
 *   /api/..;/admin, /api/%2e%2e/admin
 * /health;/../admin                               app/unfiltered            app/unfiltered /admin
 *                                                 /health/../admin (sic)
 * CONNECT 127.0.0.1:port                          app/unfiltered /          501C
 * /admin, /HEALTH, /health/, /health#..., ?...    app/unfiltered            app/unfiltered (# : 400C)
 * /api, /api/, /api/me%20                        403F                      403F   unmatched: deny
 * /api/me/ (o2)                                   app /api/me/              app /api/me/   the /api/me rule
 * /ap%69/organizations/o1/members (o2)            403F                      403F   decoded before mapping
 * /ap%69/me (o2) / (no token)                     app /api/me / 401F        app /api/me / 401F
 * //api/..., /./api/..., /x/../api/..., /api;x=y  400C or 400F              400F
 * </pre>
 * Note Jetty handing the servlet {@code /health/../admin} un-normalized for {@code /health;/../admin}
 * and routing {@code CONNECT} to {@code /}: with {@code /*} the filter refuses both (400, 403);
 * with {@code /api/*} the application gets them as they are. The full table is printed to the
 * test output after each run.
 */
class PathBypassApiMappingTest {
    private static LogtoTestIssuer issuer;
    private static RuleSet rules;
    private static OrganizationTokenVerifier oracle;
    private static List<Deployment> running;
    private static final Map<Token, String> TOKENS = new EnumMap<>(Token.class);
    private static final Map<Token, String> SUBJECTS = Map.of(Token.O1, "user-o1", Token.O2, "user-o2");
    private static final Map<String, Map<String, String>> OBSERVED = new LinkedHashMap<>();

    /** The shared corpus, then payloads aimed at the {@code /api} prefix. */
    static List<Payload> payloads() {
        List<Payload> p = new ArrayList<>(PathBypassTest.payloads());
        p.add(refuse("prefix: /api/../admin", "GET /api/../admin HTTP/1.1", Token.NONE));
        p.add(refuse("prefix: /api/..;/admin", "GET /api/..;/admin HTTP/1.1", Token.NONE));
        p.add(refuse("prefix: /api/%2e%2e/admin", "GET /api/%2e%2e/admin HTTP/1.1", Token.NONE));
        p.add(refuse("prefix: /api%2fme", "GET /api%2fme HTTP/1.1", Token.O2));
        p.add(refuse("prefix: /api exactly", "GET /api HTTP/1.1", Token.O2));
        p.add(refuse("prefix: /api/ (trailing slash)", "GET /api/ HTTP/1.1", Token.O2));
        p.add(refuse("prefix: /API/me", "GET /API/me HTTP/1.1", Token.O2));
        p.add(refuse("prefix: //api other org", "GET //api/organizations/o1/members HTTP/1.1", Token.O2));
        p.add(refuse("prefix: /./api other org", "GET /./api/organizations/o1/members HTTP/1.1", Token.O2));
        p.add(refuse("prefix: /x/../api other org", "GET /x/../api/organizations/o1/members HTTP/1.1", Token.O2));
        p.add(refuse("prefix: /api;x other org", "GET /api;x=y/organizations/o1/members HTTP/1.1", Token.O2));
        p.add(refuse("prefix: /ap%69 other org", "GET /ap%69/organizations/o1/members HTTP/1.1", Token.O2));
        p.add(refuse("prefix: /ap%69/me, no token", "GET /ap%69/me HTTP/1.1", Token.NONE));
        p.add(new Payload("prefix: /ap%69/me", "GET /ap%69/me HTTP/1.1", Token.O2, "/api/me", false, Set.of(),
                List.of()));
        p.add(new Payload("prefix: control /api/me", "GET /api/me HTTP/1.1", Token.O2, "/api/me", true, Set.of(),
                List.of()));
        p.add(refuse("prefix: control /api/me, no token", "GET /api/me HTTP/1.1", Token.NONE));
        return p;
    }

    private static Payload refuse(String id, String requestLine, Token token) {
        return new Payload(id, requestLine, token, null, false, Set.of(), List.of());
    }

    @BeforeAll
    static void start() {
        issuer = LogtoTestIssuer.start();
        TOKENS.put(Token.O1, issuer.organizationResourceToken("user-o1", ORG_API, "o1", "read:members").sign());
        TOKENS.put(Token.O2, issuer.organizationResourceToken("user-o2", ORG_API, "o2", "read:members").sign());
        rules = TestRules.load(issuer.endpoint());
        oracle = OrganizationTokenVerifier.builder().logtoEndpoint(issuer.endpoint().toString()).build();
        running = Deployment.onBoth(() -> new OrganizationTokenFilter(TestRules.load(issuer.endpoint())), "/api/*");
    }

    @AfterAll
    static void stop() {
        StringBuilder table = new StringBuilder("\nfilter on /api/*: payload | jetty | tomcat\n");
        OBSERVED.forEach((id, byContainer) -> table.append(id).append(" | ").append(byContainer.get("jetty"))
                .append(" | ").append(byContainer.get("tomcat")).append('\n'));
        System.out.println(table);
        Deployment.stopAll(running);
        if (oracle != null) {
            oracle.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    static Stream<Arguments> cases() {
        return running.stream().flatMap(d -> payloads().stream().map(p -> Arguments.of(d, p)));
    }

    private static boolean underApi(String routedPath) {
        return routedPath.equals("/api") || routedPath.startsWith("/api/");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void whatReachesApiPassedTheFilter(Deployment d, Payload payload) {
        String token = payload.token() == Token.NONE ? null : TOKENS.get(payload.token());
        int before = d.hits();
        EchoServlet.Seen lastBefore = d.app().last();
        Answer answer = payload.send(d, token);
        boolean reached = d.hits() != before;
        Problems.assertNoSecrets(answer, token);
        boolean apiExpected = payload.mayReach() != null && underApi(payload.mayReach());

        if (reached) {
            EchoServlet.Seen seen = d.app().last();
            assertEquals(before + 1, d.hits());
            if (!underApi(seen.path())) {
                // Routed outside the filter's mapping: the filter never ran.
                OBSERVED.computeIfAbsent(payload.id(), k -> new LinkedHashMap<>())
                        .put(d.name(), answer.status() + " app (unfiltered " + seen.path() + ")");
                assertFalse(seen.verifiedToken(), () -> "the filter ran on " + seen.path());
                assertNull(seen.principal(), () -> "a principal on an unfiltered path " + seen.path());
                assertFalse(apiExpected && payload.mustPass(), () -> payload.requestLine() + " should have reached "
                        + payload.mayReach() + " but reached " + seen.path());
                return;
            }
            OBSERVED.computeIfAbsent(payload.id(), k -> new LinkedHashMap<>()).put(d.name(), answer.status() + " app");
            if (token == null || !seen.verifiedToken()) {
                fail("BYPASS: " + payload.requestLine() + " reached " + seen.path() + " without passing the filter with a token: "
                        + answer);
            }
            if (!seen.path().equals(payload.mayReach())) {
                fail("BYPASS: " + payload.requestLine() + " reached the application as " + seen.path() + " with "
                        + payload.token() + ": " + answer);
            }
            assertEquals(200, answer.status(), answer::toString);
            assertEquals(SUBJECTS.get(payload.token()), seen.principal());
            assertRuleAccepts(seen.method(), seen.path(), token);
            return;
        }
        String by = answer.headers().containsKey("content-type")
                && answer.headers().get("content-type").get(0).startsWith("application/problem+json")
                ? "filter" : "container";
        OBSERVED.computeIfAbsent(payload.id(), k -> new LinkedHashMap<>()).put(d.name(), answer.status() + " " + by);
        assertEquals(lastBefore, d.app().last());
        if (payload.mustPass() && apiExpected) {
            fail(payload.requestLine() + " is covered by a rule the token satisfies, but was refused: " + answer);
        }
        if (by.equals("container") && payload.containerMay().contains(answer.status())) {
            return;
        }
        assertTrue(Set.of(400, 401, 403, 404, 405).contains(answer.status()), () -> "unexpected " + answer);
    }

    /**
     * Independently of the filter: the rule that covers the routed path is not public, and the
     * token satisfies it (audience, organization from the path, scopes).
     */
    private static void assertRuleAccepts(String method, String path, String token) {
        RuleDecision decision = rules.match(method, path);
        assertFalse(decision instanceof RuleDecision.Public, () -> path + " is public; the filter should not have needed a token");
        if (!(decision instanceof RuleDecision.Protected protectedPath)) {
            throw new AssertionError("no rule covers " + method + " " + path + ": " + decision);
        }
        Requirements r = protectedPath.requirements();
        try {
            oracle.verify(token, r);
        } catch (TokenRejectedException e) {
            fail("BYPASS: the rule for " + method + " " + path + " refuses this token (" + e.reason()
                    + ") but the application was reached");
        }
    }
}
