package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.SigningKey;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Decision listeners through the filter, on Jetty 12 and Tomcat 10.1: one named in the rules file
 * ({@code audit}), one given in code, and one that throws. Every decision (pass or refusal, with its
 * reason, rule, method, path, and who, when the token was authentic) reaches both working listeners,
 * the throwing one changes no answer, and no event holds the token.
 */
class AuditTest {
    static final String RULES = """
            logto:
              endpoint: ${LOGTO_ENDPOINT}
              roles-claim: roles
            audience: https://api.example.com/org
            cors-preflight: pass
            audit: [dev.orgtoken.servlet.AuditTest$FileListener]
            rules:
              - path: /health
                public: true
              - path: /api/org/{organizationId}/**
                organization: "{organizationId}"
                roles: [admin]
              - path: /api/**
            """;
    private static final String ORG_RULE = "rules.yaml:10";

    /** Named in the rules file: created by the filter through its public no-argument constructor. */
    public static final class FileListener implements DecisionListener {
        static final Queue<DecisionEvent> EVENTS = new ConcurrentLinkedQueue<>();

        @Override
        public void decided(DecisionEvent event) {
            EVENTS.add(event);
        }
    }

    private static LogtoTestIssuer issuer;
    private static List<Deployment> running;
    private static final Queue<DecisionEvent> codeEvents = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() {
        issuer = LogtoTestIssuer.start();
        DecisionListener throwing = event -> {
            throw new IllegalStateException("an audit store that is down");
        };
        running = Deployment.onBoth(() -> new OrganizationTokenFilter(rules(RULES),
                List.of(throwing, codeEvents::add)));
    }

    private static RuleSet rules(String text) {
        return RuleSet.load("rules.yaml", new StringReader(text), Map.of("LOGTO_ENDPOINT", issuer.endpoint().toString())::get);
    }

    @AfterAll
    static void stop() {
        Deployment.stopAll(running);
        if (issuer != null) {
            issuer.close();
        }
    }

    static Stream<Deployment> deployments() {
        return running.stream();
    }

    @BeforeEach
    void clear() {
        FileListener.EVENTS.clear();
        codeEvents.clear();
    }

    private static Answer send(Deployment d, String requestLine, String... headers) {
        return RawHttp.send(d.container().port(), requestLine, headers);
    }

    /** The one event both listeners were told about, the same for each. */
    private static DecisionEvent only() {
        assertEquals(1, FileListener.EVENTS.size(), () -> "events: " + FileListener.EVENTS);
        DecisionEvent event = FileListener.EVENTS.poll();
        assertEquals(event, codeEvents.poll(), "the code listener got the same event");
        return event;
    }

    private static void assertNoToken(DecisionEvent event, String token) {
        assertFalse(event.toString().contains(token), "an event never holds the token");
        for (String part : token.split("\\.")) {
            assertFalse(event.toString().contains(part), "nor any part of it");
        }
    }

    /**
     * The seam integrations act on (the Jakarta Security mechanism): {@code decide} tells no one,
     * {@code decideAndAudit} tells every listener, the rules file's included, what {@code doFilter}
     * would. A servlet outside the filter's mapping calls them on real requests of each container.
     */
    @Test
    void decideAndAuditTellsTheListenersAndDecideDoesNot() throws Exception {
        for (Supplier<Container> kind : Container.kinds()) {
            Queue<DecisionEvent> events = new ConcurrentLinkedQueue<>();
            OrganizationTokenFilter filter = new OrganizationTokenFilter(rules(RULES), List.of(events::add));
            HttpServlet integration = new HttpServlet() {
                @Override
                protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
                    OrganizationTokenFilter.Decision decision = request.getQueryString() == null ? filter.decide(request)
                            : filter.decideAndAudit(request);
                    response.getWriter().print(decision instanceof OrganizationTokenFilter.Passed ? "passed" : "refused");
                }
            };
            try (Container container = kind.get()) {
                container.start(Container.FilterSetup.instance(filter).mappedTo("/filtered/*"), integration);
                FileListener.EVENTS.clear();

                Answer decided = RawHttp.send(container.port(), "GET /api/reports HTTP/1.1");
                assertEquals("refused", decided.body(), container.name());
                assertTrue(events.isEmpty() && FileListener.EVENTS.isEmpty(), "decide alone publishes nothing");

                Answer audited = RawHttp.send(container.port(), "GET /api/reports?audited HTTP/1.1");
                assertEquals("refused", audited.body(), container.name());
                assertEquals(1, events.size(), () -> container.name() + ": " + events);
                DecisionEvent e = events.poll();
                assertEquals(DecisionEvent.Outcome.REFUSE, e.outcome());
                assertEquals(401, e.status());
                assertEquals("/api/reports", e.path());
                assertEquals(e, FileListener.EVENTS.poll(), "the rules file's listener too");
            }
        }
    }

    @OnBothContainers
    void aPassWithATokenSaysWhoAndByWhichRule(Deployment d) {
        Instant before = Instant.now();
        String token = issuer.organizationResourceToken("u-admin", ORG_API, "o1").claim("roles", List.of("admin"))
                .actor("agent-3").jwtId("jti-42").sign();
        assertEquals(200, send(d, "GET /api/org/o1/invoices HTTP/1.1", "Authorization: Bearer " + token).status(),
                "the throwing listener changed nothing");
        DecisionEvent e = only();
        assertEquals(DecisionEvent.Outcome.PASS, e.outcome());
        assertTrue(e.passed());
        assertEquals("TOKEN", e.reason());
        assertEquals(0, e.status());
        assertEquals(ORG_RULE, e.rule());
        assertEquals(DispatcherType.REQUEST, e.dispatcherType());
        assertEquals("GET", e.method());
        assertEquals("/api/org/o1/invoices", e.path());
        assertEquals("u-admin", e.subject());
        assertEquals(LogtoTestIssuer.DEFAULT_CLIENT_ID, e.clientId());
        assertEquals("o1", e.organizationId());
        assertEquals("default", e.tenant());
        assertEquals("agent-3", e.actor());
        assertEquals("jti-42", e.jwtId());
        assertFalse(e.time().isBefore(before.minusSeconds(1)));
        assertTrue(e.elapsed().compareTo(Duration.ZERO) > 0 && e.elapsed().compareTo(Duration.ofSeconds(10)) < 0);
        assertNoToken(e, token);
    }

    @OnBothContainers
    void refusalsSayWhyAndWhoWhenTheTokenWasAuthentic(Deployment d) {
        // No token.
        assertEquals(401, send(d, "GET /api/org/o1/invoices HTTP/1.1").status());
        DecisionEvent missing = only();
        assertEquals(DecisionEvent.Outcome.REFUSE, missing.outcome());
        assertEquals("MISSING_TOKEN", missing.reason());
        assertEquals(401, missing.status());
        assertEquals(ORG_RULE, missing.rule());
        assertNull(missing.subject());

        // An authentic token the rule does not allow: who it was is known.
        String member = issuer.organizationResourceToken("u-member", ORG_API, "o1").claim("roles", List.of("member"))
                .jwtId("jti-7").sign();
        assertEquals(403, send(d, "GET /api/org/o1/invoices HTTP/1.1", "Authorization: Bearer " + member).status());
        DecisionEvent roles = only();
        assertEquals("MISSING_ROLES", roles.reason());
        assertEquals(403, roles.status());
        assertEquals("u-member", roles.subject());
        assertEquals("o1", roles.organizationId());
        assertEquals("jti-7", roles.jwtId());
        assertNoToken(roles, member);

        // A forged token: nobody is named.
        String forged = issuer.organizationResourceToken("u-admin", ORG_API, "o1").signedWith(
                SigningKey.generate(KeyType.EC_P384)).kid(issuer.currentKey().kid()).sign();
        assertEquals(401, send(d, "GET /api/org/o1/invoices HTTP/1.1", "Authorization: Bearer " + forged).status());
        DecisionEvent bad = only();
        assertEquals("BAD_SIGNATURE", bad.reason());
        assertNull(bad.subject());
        assertNull(bad.jwtId());
        assertNoToken(bad, forged);

        // No rule: the unmatched policy decided.
        assertEquals(403, send(d, "GET /elsewhere HTTP/1.1").status());
        DecisionEvent unmatched = only();
        assertEquals("NO_MATCHING_RULE", unmatched.reason());
        assertEquals("unmatched", unmatched.rule());
    }

    @OnBothContainers
    void publicPathsAndPreflightsPassToo(Deployment d) {
        assertEquals(200, send(d, "GET /health HTTP/1.1").status());
        DecisionEvent health = only();
        assertEquals("PUBLIC", health.reason());
        assertEquals("rules.yaml:8", health.rule());
        assertEquals(200, send(d, "OPTIONS /api/me HTTP/1.1", "Origin: http://app.example.test",
                "Access-Control-Request-Method: GET").status());
        DecisionEvent preflight = only();
        assertEquals("CORS_PREFLIGHT", preflight.reason());
        assertNull(preflight.rule(), "decided before any rule");
        assertEquals("OPTIONS", preflight.method());
        // An ambiguous path: refused before the rules, its path not repeated.
        assertEquals(400, send(d, "GET /api/%2e%2e/admin HTTP/1.1").status());
        if (!FileListener.EVENTS.isEmpty()) {   // Jetty refuses this one itself, before any filter
            DecisionEvent ambiguous = only();
            assertEquals("AMBIGUOUS_PATH", ambiguous.reason());
            assertEquals("-", ambiguous.path());
        }
    }

    @Test
    void aListenerTheRulesNameMustExistAndBeAListener() {
        for (String[] bad : new String[][] {
                {"com.example.Missing", "was not found on the class path"},
                {"java.lang.String", "does not implement dev.orgtoken.servlet.DecisionListener"},
                {"dev.orgtoken.servlet.AuditTest$NoDefaultConstructor", "has no public no-argument constructor"},
                {"dev.orgtoken.servlet.AuditTest$FailingConstructor", "could not be created (java.lang.IllegalStateException)"}}) {
            RuleSet set = rules(RULES.replace("dev.orgtoken.servlet.AuditTest$FileListener", bad[0]));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OrganizationTokenFilter(set));
            assertEquals("rules.yaml:6: audit listener " + bad[0] + " " + bad[1], e.getMessage());
        }
    }

    /** Not a listener the filter can create: no no-argument constructor. */
    public static final class NoDefaultConstructor implements DecisionListener {
        public NoDefaultConstructor(String name) {
        }

        @Override
        public void decided(DecisionEvent event) {
        }
    }

    /** Not a listener the filter can create: its constructor fails. */
    public static final class FailingConstructor implements DecisionListener {
        public FailingConstructor() {
            throw new IllegalStateException("no audit store configured");
        }

        @Override
        public void decided(DecisionEvent event) {
        }
    }
}
