package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.Problems.NO_TOKEN;
import static dev.orgtoken.servlet.Problems.assertProblem;
import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.rules.CorsPreflight;
import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.catalina.filters.CorsFilter;
import org.eclipse.jetty.server.handler.CrossOriginHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CORS preflights, on Jetty 12 and Tomcat 10.1, with the CORS handling real applications use:
 * Tomcat's {@code CorsFilter} (a plain servlet filter, so on both containers) and Jetty's
 * {@code CrossOriginHandler}.
 *
 * <ul>
 *   <li>CORS handling <em>behind</em> the token filter ({@code CorsFilter} mapped after it): under
 *       {@code cors-preflight: refuse} (the default) a browser's preflight to a protected path is
 *       refused (401, or 405 where no rule lists {@code OPTIONS}), which breaks a cross-origin SPA;
 *       under {@code pass} exactly such preflights reach {@code CorsFilter}, which answers them.
 *       Nothing else about {@code OPTIONS} changes: without {@code Origin} or
 *       {@code Access-Control-Request-Method}, with credentials of any kind (a bearer token, a
 *       cookie, a query token), or spelled {@code options}, the rules decide.</li>
 *   <li>CORS handling <em>in front</em> ({@code CorsFilter} mapped before it, or Jetty's handler):
 *       preflights never reach the filter, and refusals carry the CORS headers, under either setting.</li>
 *   <li>Jetty's {@code CrossOriginHandler} with {@code deliverPreflightRequests}: the preflight reaches
 *       the filter, which refuses it, or under {@code pass} hands it to the application.</li>
 * </ul>
 */
class CorsPreflightTest {
    static final String ORIGIN = "http://app.example.test";
    static final String RULES = """
            logto:
              endpoint: ${LOGTO_ENDPOINT}
            audience: https://api.example.com/org
            cors-preflight: ${PREFLIGHT}
            rules:
              - path: /health
                public: true
              - path: /api/items
                methods: [GET, POST]
              - path: /api/me
              - path: /api/**
                methods: [GET, POST]
            """;

    /** How CORS is handled in front of the application. */
    enum Arrangement {
        /** Tomcat's CorsFilter mapped after the token filter: the application's CORS handling. */
        CORS_FILTER_BEHIND,
        /** Tomcat's CorsFilter mapped before the token filter. */
        CORS_FILTER_IN_FRONT,
        /** Jetty's CrossOriginHandler in front of the context, answering preflights itself (its default). */
        JETTY_HANDLER,
        /** Jetty's CrossOriginHandler adding headers and delivering preflights to the context. */
        JETTY_HANDLER_DELIVERING
    }

    record Target(Arrangement arrangement, CorsPreflight preflight, Deployment deployment) {
        @Override
        public String toString() {
            return deployment.name() + ", " + arrangement + ", cors-preflight: " + preflight.fileValue();
        }
    }

    private static LogtoTestIssuer issuer;
    private static final List<Target> targets = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        issuer = LogtoTestIssuer.start();
        for (CorsPreflight preflight : CorsPreflight.values()) {
            for (Supplier<Container> kind : Container.kinds()) {
                targets.add(deploy(kind.get(), Arrangement.CORS_FILTER_BEHIND, preflight));
                targets.add(deploy(kind.get(), Arrangement.CORS_FILTER_IN_FRONT, preflight));
            }
            targets.add(deploy(new JettyContainer().wrappedIn(h -> crossOriginHandler(h, false)),
                    Arrangement.JETTY_HANDLER, preflight));
            targets.add(deploy(new JettyContainer().wrappedIn(h -> crossOriginHandler(h, true)),
                    Arrangement.JETTY_HANDLER_DELIVERING, preflight));
        }
    }

    private static Target deploy(Container container, Arrangement arrangement, CorsPreflight preflight)
            throws Container.StartFailure {
        RuleSet rules = RuleSet.load("rules.yaml", new StringReader(RULES), Map.of("LOGTO_ENDPOINT",
                issuer.endpoint().toString(), "PREFLIGHT", preflight.fileValue())::get);
        EchoServlet app = new EchoServlet();
        Container.Layout layout = Container.Layout.single(app);
        if (arrangement == Arrangement.CORS_FILTER_BEHIND || arrangement == Arrangement.CORS_FILTER_IN_FRONT) {
            layout = layout.with(new Container.AppFilter("cors", new CorsFilter(), Map.of(
                    "cors.allowed.origins", ORIGIN,
                    "cors.allowed.methods", "GET,POST,HEAD,OPTIONS",
                    "cors.allowed.headers", "Authorization,Content-Type",
                    "cors.exposed.headers", "WWW-Authenticate"), arrangement == Arrangement.CORS_FILTER_IN_FRONT));
        }
        container.start(Container.FilterSetup.instance(new OrganizationTokenFilter(rules)), layout);
        return new Target(arrangement, preflight, Deployment.started(container, app));
    }

    private static CrossOriginHandler crossOriginHandler(org.eclipse.jetty.server.Handler context, boolean deliver) {
        CrossOriginHandler cors = new CrossOriginHandler();
        cors.setAllowedOriginPatterns(Set.of("http://app\\.example\\.test"));
        cors.setAllowedMethods(Set.of("GET", "POST", "HEAD", "OPTIONS"));
        cors.setAllowedHeaders(Set.of("Authorization", "Content-Type"));
        cors.setAllowCredentials(false);
        cors.setDeliverPreflightRequests(deliver);
        cors.setHandler(context);
        return cors;
    }

    @AfterAll
    static void stop() {
        targets.forEach(t -> t.deployment().stop());
        if (issuer != null) {
            issuer.close();
        }
    }

    static Stream<Target> targets() {
        return targets.stream();
    }

    static Stream<Target> behind() {
        return targets.stream().filter(t -> t.arrangement() == Arrangement.CORS_FILTER_BEHIND);
    }

    static Stream<Target> inFront() {
        return targets.stream().filter(t -> t.arrangement() == Arrangement.CORS_FILTER_IN_FRONT
                || t.arrangement() == Arrangement.JETTY_HANDLER);
    }

    static Stream<Target> delivering() {
        return targets.stream().filter(t -> t.arrangement() == Arrangement.JETTY_HANDLER_DELIVERING);
    }

    private static Answer send(Target t, String requestLine, String... headers) {
        return RawHttp.send(t.deployment().container().port(), requestLine, headers);
    }

    /** What a browser sends before a cross-origin GET with an Authorization header. */
    private static Answer preflight(Target t, String path, String... more) {
        List<String> headers = new ArrayList<>(List.of("Origin: " + ORIGIN, "Access-Control-Request-Method: GET",
                "Access-Control-Request-Headers: authorization"));
        headers.addAll(List.of(more));
        return send(t, "OPTIONS " + path + " HTTP/1.1", headers.toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("behind")
    void withCorsHandlingBehindTheFilterOnlyPassLetsAPreflightThrough(Target t) {
        Deployment d = t.deployment();
        int before = d.hits();
        Answer me = preflight(t, "/api/me");
        Answer items = preflight(t, "/api/items");
        if (t.preflight() == CorsPreflight.PASS) {
            for (Answer answer : List.of(me, items)) {
                // Tomcat's CorsFilter answered it (and does not call the application for a preflight).
                assertEquals(200, answer.status(), answer::toString);
                assertEquals(ORIGIN, answer.header("Access-Control-Allow-Origin"), answer::toString);
                assertTrue(answer.header("Access-Control-Allow-Methods").contains("GET"), answer::toString);
                assertTrue(answer.header("Access-Control-Allow-Headers").toLowerCase().contains("authorization"));
                assertNull(answer.header("WWW-Authenticate"));
            }
            assertTrue(d.filterCounters().preflightPassedCount() >= 2);
        } else {
            // The default: the rules decide, and a preflight carries no token, so a browser's SPA fails.
            assertProblem(me, 401, NO_TOKEN, "a bearer token is required");
            assertProblem(items, 405, null, "no rule allows this method on this path");
            assertNull(me.header("Access-Control-Allow-Origin"));
        }
        assertEquals(before, d.hits());

        // The actual request then carries its token, and the CORS filter behind adds its headers.
        String token = issuer.globalApiToken("spa-user", ORG_API).sign();
        Answer actual = send(t, "GET /api/me HTTP/1.1", "Origin: " + ORIGIN, "Authorization: Bearer " + token);
        assertEquals(200, actual.status(), actual::toString);
        assertEquals(ORIGIN, actual.header("Access-Control-Allow-Origin"));
        assertEquals("spa-user", d.app().last().principal());
    }

    /** Only the exact shape passes: everything else about OPTIONS stays as the rules say, under either setting. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("behind")
    void onlyTheExactShapeOfAPreflightPasses(Target t) {
        Deployment d = t.deployment();
        int before = d.hits();
        assertProblem(send(t, "OPTIONS /api/me HTTP/1.1", "Access-Control-Request-Method: GET"), 401, NO_TOKEN,
                "a bearer token is required");                                   // no Origin: a plain OPTIONS
        assertProblem(send(t, "OPTIONS /api/items HTTP/1.1"), 405, null, "no rule allows this method on this path");
        assertProblem(send(t, "OPTIONS /api/me HTTP/1.1", "Origin: " + ORIGIN), 401, NO_TOKEN,
                "a bearer token is required");                                   // no Access-Control-Request-Method
        assertProblem(preflight(t, "/api/me", "Cookie: session=abc"), 401, NO_TOKEN, "a bearer token is required");
        Answer withToken = preflight(t, "/api/me", "Authorization: Bearer not-a-token");
        assertEquals(401, withToken.status(), withToken::toString);              // credentials: the rules decide
        assertEquals(400, preflight(t, "/api/me?access_token=abc").status());
        assertProblem(send(t, "OPTIONS /api/me HTTP/1.1", "Origin: " + ORIGIN, "Origin: http://other.test",
                "Access-Control-Request-Method: GET"), 401, NO_TOKEN, "a bearer token is required");
        assertProblem(send(t, "OPTIONS /api/me HTTP/1.1", "Origin: " + ORIGIN, "Access-Control-Request-Method: G E T"),
                401, NO_TOKEN, "a bearer token is required");
        Answer lowerCase = send(t, "options /api/me HTTP/1.1", "Origin: " + ORIGIN, "Access-Control-Request-Method: GET");
        assertNotEquals(200, lowerCase.status(), lowerCase::toString);
        // An ambiguous path is refused before anything else, preflight or not.
        assertEquals(400, preflight(t, "/api/%2e%2e/admin").status());
        assertEquals(before, d.hits());
        // A preflight to a public path was never refused, and reaches the CORS filter either way.
        assertEquals(200, preflight(t, "/health").status());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inFront")
    void withCorsHandlingInFrontPreflightsNeverReachTheFilter(Target t) {
        Deployment d = t.deployment();
        int before = d.hits();
        Answer answer = preflight(t, "/api/items");
        assertEquals(200, answer.status(), answer::toString);
        assertEquals(ORIGIN, answer.header("Access-Control-Allow-Origin"), answer::toString);
        assertEquals(0, d.filterCounters().preflightPassedCount());
        // ... and a refusal carries the CORS headers, so the SPA can read its 401.
        Answer refused = send(t, "GET /api/me HTTP/1.1", "Origin: " + ORIGIN);
        assertProblem(refused, 401, NO_TOKEN, "a bearer token is required");
        assertEquals(ORIGIN, refused.header("Access-Control-Allow-Origin"), refused::toString);
        assertEquals(before, d.hits());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("delivering")
    void jettysHandlerDeliveringPreflightsNeedsPass(Target t) {
        Deployment d = t.deployment();
        int before = d.hits();
        Answer answer = preflight(t, "/api/items");
        if (t.preflight() == CorsPreflight.PASS) {
            assertEquals(200, answer.status(), answer::toString);
            assertEquals(ORIGIN, answer.header("Access-Control-Allow-Origin"), answer::toString);
            assertEquals(before + 1, d.hits(), "handed to the application");
            assertEquals("OPTIONS", d.app().last().method());
            assertNull(d.app().last().principal(), "a preflight carries no principal");
        } else {
            assertProblem(answer, 405, null, "no rule allows this method on this path");
            assertEquals(before, d.hits());
        }
    }
}
