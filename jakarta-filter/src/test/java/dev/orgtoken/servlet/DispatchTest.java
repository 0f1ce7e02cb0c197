package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.Problems.NO_TOKEN;
import static dev.orgtoken.servlet.Problems.assertProblem;
import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.testkit.LogtoTestIssuer;
import jakarta.servlet.DispatcherType;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Outside review, finding 2: each dispatch is decided on the path it targets. A public servlet
 * that forwards, includes or async-dispatches to a protected path used to reach it with no
 * principal (the README's mapping covered REQUEST only), and an INCLUDE was decided on the outer
 * path even with every dispatcher type mapped. On Jetty 12 and Tomcat 10.1, with the filter mapped
 * as the README now says (all five dispatcher types). {@link DecisionModelTest} checks the same
 * against a model over thousands of generated requests; these are the review's cases, by name.
 */
class DispatchTest {
    private static final String RULES = """
            logto:
              endpoint: ${LOGTO_ENDPOINT}
            audience: https://api.example.com/org
            unmatched: deny
            rules:
              - path: /dispatch/**
                public: true
              - path: /public/**
                public: true
              - path: /api/me
              - path: /errors/**
                scopes: [read:errors]
            """;

    private static LogtoTestIssuer issuer;
    private static final List<Running> running = new ArrayList<>();

    record Running(Container container, ModelWebApp app) {
        @Override
        public String toString() {
            return container.name();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        issuer = LogtoTestIssuer.start();
        RuleSet rules = RuleSet.load("dispatch.yaml", new StringReader(RULES),
                Map.of("LOGTO_ENDPOINT", issuer.endpoint().toString())::get);
        for (Supplier<Container> kind : Container.kinds()) {
            Container container = kind.get();
            ModelWebApp app = new ModelWebApp();
            container.start(Container.FilterSetup.instance(new OrganizationTokenFilter(rules)),
                    app.layout(EnumSet.allOf(DispatcherType.class)));
            running.add(new Running(container, app));
        }
    }

    @AfterAll
    static void stop() {
        running.forEach(r -> r.container().stop());
        if (issuer != null) {
            issuer.close();
        }
    }

    static Stream<Running> containers() {
        return running.stream();
    }

    /** Sends a GET with a request id; returns the answer and what each servlet saw. */
    private static Sent get(Running r, String target, String token) {
        String id = UUID.randomUUID().toString();
        List<String> headers = new ArrayList<>(List.of(ModelWebApp.REQUEST_ID + ": " + id));
        if (token != null) {
            headers.add("Authorization: Bearer " + token);
        }
        Answer answer = RawHttp.send(r.container().port(), "GET " + target + " HTTP/1.1", headers.toArray(String[]::new));
        return new Sent(answer, r.app().take(id));
    }

    record Sent(Answer answer, List<ModelWebApp.Seen> seen) {
        boolean reached(String servlet, DispatcherType type) {
            return seen.stream().anyMatch(s -> s.servlet().equals(servlet) && s.type() == type);
        }

        String principalAt(String servlet) {
            return seen.stream().filter(s -> s.servlet().equals(servlet)).findFirst().orElseThrow().principal();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aForwardIsDecidedOnItsTarget(Running r) {
        Sent without = get(r, "/dispatch/forward?target=/api/me", null);
        assertProblem(without.answer(), 401, NO_TOKEN, "a bearer token is required");
        assertTrue(!without.reached("exact", DispatcherType.FORWARD), without::toString);

        String token = issuer.globalApiToken("user-1", ORG_API).sign();
        Sent with = get(r, "/dispatch/forward?target=/api/me", token);
        assertEquals(200, with.answer().status(), with::toString);
        assertEquals("user-1", with.principalAt("exact"), "the target sees the token as its principal");
    }

    /** Found in review: Tomcat threw (a 500) when the forwarding page had taken the writer. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void aRefusedForwardIsWrittenEvenAfterThePageTookTheWriter(Running r) {
        Sent without = get(r, "/dispatch/forward-writer?target=/api/me", null);
        assertProblem(without.answer(), 401, NO_TOKEN, "a bearer token is required");
        assertTrue(!without.reached("exact", DispatcherType.FORWARD), without::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void anAsyncDispatchIsDecidedOnItsTarget(Running r) {
        Sent without = get(r, "/dispatch/async?target=/api/me", null);
        assertProblem(without.answer(), 401, NO_TOKEN, "a bearer token is required");
        assertTrue(!without.reached("exact", DispatcherType.ASYNC), without::toString);

        String token = issuer.globalApiToken("user-1", ORG_API).sign();
        Sent with = get(r, "/dispatch/async?target=/api/me", token);
        assertEquals(200, with.answer().status(), with::toString);
        assertEquals("user-1", with.principalAt("exact"));
    }

    /**
     * An include cannot change the status, so a refused one is left out: the including page answers
     * as it would, and the protected servlet never runs.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void anIncludeIsDecidedOnTheIncludedPathNotTheOuterOne(Running r) {
        Sent without = get(r, "/dispatch/include?target=/api/me", null);
        assertEquals(200, without.answer().status(), without::toString);
        assertTrue(!without.reached("exact", DispatcherType.INCLUDE), () -> "the protected servlet was included: " + without);
        assertTrue(!without.answer().body().contains("exact"), without.answer()::body);

        String token = issuer.globalApiToken("user-1", ORG_API).sign();
        Sent with = get(r, "/dispatch/include?target=/api/me", token);
        assertTrue(with.reached("exact", DispatcherType.INCLUDE), with::toString);
        assertTrue(with.answer().body().contains("exact INCLUDE"), with.answer()::body);
    }

    /**
     * A protected error page: without a token that satisfies its rule, the status the application
     * chose stands and the page does not run. No {@code sendError}, so no loop.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void anErrorPageIsDecidedOnItsPathAndKeepsTheStatus(Running r) {
        Sent without = get(r, "/dispatch/error?code=409", null);
        assertProblem(without.answer(), 409, null, "the error page is not available to this request");
        assertTrue(!without.reached("default", DispatcherType.ERROR), without::toString);

        String plain = issuer.globalApiToken("user-1", ORG_API).sign();
        Sent lacking = get(r, "/dispatch/error?code=409", plain);
        assertProblem(lacking.answer(), 409, null, "the error page is not available to this request", plain);

        String allowed = issuer.globalApiToken("user-1", ORG_API, "read:errors").sign();
        Sent with = get(r, "/dispatch/error?code=409", allowed);
        assertTrue(with.reached("default", DispatcherType.ERROR), with::toString);   // the page sets its own status
        assertEquals("user-1", with.principalAt("default"));

        // A public error page is shown to anyone.
        Sent gone = get(r, "/dispatch/error?code=410", null);
        assertTrue(gone.reached("default", DispatcherType.ERROR), gone::toString);
    }
}
