package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.DecisionModel.Rule.open;
import static dev.orgtoken.servlet.DecisionModel.Rule.token;
import static dev.orgtoken.servlet.TestRules.GLOBAL_API;
import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.servlet.DecisionModel.Headers;
import dev.orgtoken.servlet.DecisionModel.Reason;
import dev.orgtoken.servlet.DecisionModel.Rules;
import dev.orgtoken.servlet.DecisionModel.Token;
import dev.orgtoken.servlet.DecisionModel.Unmatched;
import dev.orgtoken.servlet.DecisionModel.Verdict;
import dev.orgtoken.servlet.ModelWebApp.Seen;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.SigningKey;
import dev.orgtoken.testkit.TokenBuilder;
import io.restassured.path.json.JsonPath;
import jakarta.servlet.DispatcherType;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The filter's decisions compared with {@link DecisionModel}, a small model of what the rules mean,
 * over generated requests: for each rules file below (one per {@code unmatched} policy) on Jetty 12
 * and Tomcat 10.1, a {@link ModelWebApp} (default, prefix, exact and extension mappings; servlets
 * that forward, include and async-dispatch; error pages) with the filter mapped for every
 * dispatcher type, sent raw requests over loopback with real tokens from a {@link LogtoTestIssuer}.
 *
 * <p>Requests are drawn from a seeded {@link Random}: paths built from the rules' patterns and
 * literals, organization ids, random segments, case variants, trailing slashes and percent-encoded
 * ordinary characters; eight methods (lower-case {@code get} among them); direct, or through a
 * public servlet that forwards, includes, async-dispatches to the path or triggers an error page;
 * sixteen tokens (none, valid ones for different audiences, organizations and scopes, expired,
 * forged, wrong audience, with roles in a claim or an ill-typed one, an impersonation token and one
 * with an unreadable {@code act}, a machine-to-machine token, another client's token); and CORS
 * headers on some requests ({@code Origin} and {@code Access-Control-Request-Method}, mostly on
 * {@code OPTIONS} without a token, sometimes with a cookie). The rules files use every rule option
 * of issue 14 (roles, actor, clients with a file-wide default and {@code any}, subject kind) and
 * both {@code cors-preflight} settings, so SECURITY.md's promises are checked under each.
 *
 * <p>Checked for every request:
 * <ul>
 *   <li><b>safety</b>: every servlet invocation it caused is one the model ALLOWs for the method,
 *       the path that dispatch targeted (servlet path + path info, or the {@code include.*}
 *       attributes for INCLUDE) and the token; a principal comes only from a genuine token, and is
 *       its subject;</li>
 *   <li>no 5xx, no answer containing the token;</li>
 *   <li><b>liveness</b>, for direct requests on plainly written paths: what the model ALLOWs
 *       reaches a servlet with a 2xx.</li>
 * </ul>
 * Counts per dispatch kind and every mismatch (grouped, with examples) go to standard output
 * ({@code target/surefire-reports/dev.orgtoken.servlet.DecisionModelTest-output.txt}). Forwards,
 * includes, async dispatches and error pages the model ALLOWs but no servlet saw are listed as
 * "info", not failures (Jetty, for one, shows error pages for GET, POST and HEAD only).
 *
 * <p>Runs {@value #DEFAULT_COUNT} requests per rules file and container (6 web applications) with
 * seed {@value #DEFAULT_SEED}; the same requests on both containers. A longer run, or another seed:
 * <pre>
 * ./mvnw -B -q -pl jakarta-filter -am test -Dtest=DecisionModelTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Ddecision.model.count=20000 -Ddecision.model.seed=$RANDOM
 * </pre>
 * {@code -Ddecision.model.dispatchers=REQUEST} maps the filter for REQUEST dispatches only (a
 * {@code <filter-mapping>} without {@code <dispatcher>}), to show what forwards, includes, async
 * dispatches and error pages then reach unchecked.
 *
 * <p>A failure is labelled with the review finding that explains it (include decided on the outer
 * path, trailing slash decided by {@code unmatched}, unlisted method falling through to
 * {@code unmatched}, filter not mapped for a dispatcher type) or as UNEXPLAINED: a new bypass.
 */
class DecisionModelTest {
    static final int DEFAULT_COUNT = 1000;
    static final long DEFAULT_SEED = 20261122L;
    private static final int COUNT = Integer.getInteger("decision.model.count", DEFAULT_COUNT);
    private static final long SEED = Long.getLong("decision.model.seed", DEFAULT_SEED);
    /**
     * The dispatcher types the filter is mapped for: all five. {@code -Ddecision.model.dispatchers=REQUEST}
     * maps it as a {@code <filter-mapping>} without {@code <dispatcher>} does, to see what that lets through.
     */
    private static final Set<DispatcherType> FILTER_DISPATCHES = dispatchers(
            System.getProperty("decision.model.dispatchers", "REQUEST,FORWARD,INCLUDE,ASYNC,ERROR"));
    /** Full examples printed per mismatch group. */
    private static final int EXAMPLES = 2;

    static final String OTHER_API = "https://other.example.com";

    // ------------------------------------------------------------------ the rules files

    /**
     * unmatched: deny. Literal organization, {@code *}, method lists, an error page behind a rule; roles
     * from {@code roles}, a default client list, preflights passed.
     */
    static final Rules DENY = new Rules("unmatched-deny", Unmatched.DENY, ORG_API, List.of(
            open("/health"),
            open("/dispatch/**"),
            open("/public/**"),
            token("/api/organizations").methods("POST").audience(GLOBAL_API).scopes("org:create"),
            token("/api/organizations/{organizationId}/members/**").methods("GET")
                    .organization("{organizationId}").scopes("read:members"),
            token("/api/organizations/{organizationId}/members").methods("POST")
                    .organization("{organizationId}").scopes("write:members"),
            token("/orgs/{organizationId}/settings").audience("urn:logto:organization:{organizationId}")
                    .scopes("manage:settings"),
            token("/api/me"),
            open("/api/*/status").methods("GET"),
            token("/errors/**"),
            token("/reports/**").organization("any"),
            token("/admin/**").organization("o1"),
            token("/billing/**").roles("admin", "billing"),
            token("/support/**").actor("deny"),
            token("/delegated/**").actor("require").clients("any"),
            token("/jobs/**").methods("POST", "GET").subject("m2m"),
            token("/people/**").subject("user").clients("rogue-app", "testkit-app")),
            "roles", List.of("testkit-app", "m2m-app"), true);

    /**
     * unmatched: public. Protected islands in a public application; a {@code *} first segment; roles from
     * the dotted path {@code custom.roles}, no default client list, preflights refused (the default).
     */
    static final Rules PUBLIC = new Rules("unmatched-public", Unmatched.PUBLIC, ORG_API, List.of(
            open("/dispatch/**"),
            token("/api/organizations/{organizationId}/members/**").methods("GET")
                    .organization("{organizationId}").scopes("read:members"),
            token("/api/organizations/{organizationId}/members/**").methods("POST", "PUT", "DELETE")
                    .organization("{organizationId}").scopes("write:members"),
            token("/api/organizations").methods("POST").audience(GLOBAL_API).scopes("org:create"),
            token("/api/me").methods("GET"),
            token("/orgs/{organizationId}/settings").audience("urn:logto:organization:{organizationId}")
                    .scopes("manage:settings"),
            token("/orgs/{organizationId}/**").organization("{organizationId}"),
            token("/errors/**"),
            token("/admin/**").organization("any"),
            token("/*/private/**"),
            open("/docs/**").methods("GET"),
            token("/billing/**").roles("admin").organization("any"),
            token("/support/**").actor("require"),
            token("/jobs/**").subject("m2m").clients("m2m-app")),
            "custom.roles", List.of(), false);

    /**
     * unmatched: authenticated. A public GET inside a protected prefix; POST-only uploads; a default client
     * list that {@code unmatched: authenticated} applies too; preflights passed.
     */
    static final Rules AUTHENTICATED = new Rules("unmatched-authenticated", Unmatched.AUTHENTICATED, ORG_API, List.of(
            open("/health").methods("GET"),
            open("/dispatch/**"),
            open("/public/**"),
            open("/api/*/public/**").methods("GET"),
            token("/api/organizations").methods("POST").audience(GLOBAL_API).scopes("org:create"),
            token("/api/organizations/{organizationId}/**").organization("{organizationId}"),
            token("/api/**").organization("any"),
            token("/orgs/{organizationId}/settings").methods("PUT", "PATCH")
                    .audience("urn:logto:organization:{organizationId}").scopes("manage:settings"),
            token("/orgs/{organizationId}/settings").methods("GET")
                    .audience("urn:logto:organization:{organizationId}"),
            token("/errors/**").scopes("read:members"),
            token("/admin/**").organization("o2"),
            token("/uploads/*").methods("POST"),
            token("/billing/**").methods("GET").roles("billing"),
            token("/support/**").actor("deny").subject("user"),
            token("/jobs/**").subject("m2m").clients("any")),
            "roles", List.of("testkit-app"), true);

    static final List<Rules> RULES = List.of(DENY, PUBLIC, AUTHENTICATED);

    // ------------------------------------------------------------------ requests

    enum Dispatch { DIRECT, FORWARD, INCLUDE, ASYNC, ERROR }

    private static final String[] METHODS = {"GET", "GET", "GET", "HEAD", "POST", "POST", "PUT", "DELETE", "PATCH",
        "OPTIONS", "get"};
    private static final String[] LITERALS = {"api", "organizations", "members", "me", "orgs", "settings", "health",
        "public", "admin", "errors", "conflict", "gone", "reports", "status", "docs", "private", "uploads", "dispatch",
        "x.do", "list.do", "billing", "support", "delegated", "jobs", "people"};

    /**
     * One generated request.
     *
     * @param target the decoded path the dispatch targets (the error page for ERROR)
     * @param plain the path is written without percent-encodings
     * @param headers the CORS headers and cookie it carries
     */
    record Planned(String id, String method, String requestTarget, Dispatch dispatch, String target, boolean plain,
            Token token, Headers headers) {
        String requestLine() {
            return method + " " + requestTarget + " HTTP/1.1";
        }

        @Override
        public String toString() {
            return requestLine() + " [" + dispatch + ", token " + token.name() + ", " + headers + "]";
        }
    }

    private static LogtoTestIssuer issuer;
    private static List<Token> tokens;
    private static final Map<String, String> SUMMARIES = new LinkedHashMap<>();
    /** Over all web applications: per dispatch kind, requests, model ALLOW, model DENY, target reached, failures. */
    private static final Map<Dispatch, int[]> TOTALS = new EnumMap<>(Dispatch.class);

    @BeforeAll
    static void start() {
        issuer = LogtoTestIssuer.start();
        Instant now = Instant.now();
        SigningKey attacker = SigningKey.generate(issuer.currentKey().type());
        tokens = List.of(
                new Token("none", null, false, null, Set.of(), null, Set.of()),
                mint("default-audience", issuer.globalApiToken("u-default", ORG_API), true),
                mint("o1", issuer.organizationResourceToken("u-o1", ORG_API, "o1", "read:members", "write:members"), true),
                mint("o2", issuer.organizationResourceToken("u-o2", ORG_API, "o2", "read:members"), true),
                mint("org-audience-o1", issuer.organizationToken("u-orgaud-o1", "o1", "manage:settings"), true),
                mint("global-org-create", issuer.globalApiToken("u-global", GLOBAL_API, "org:create"), true),
                mint("expired", issuer.organizationResourceToken("u-expired", ORG_API, "o1", "read:members",
                        "write:members").issuedAt(now.minus(Duration.ofHours(2))).expiresAt(now.minus(Duration.ofHours(1))),
                        false),
                mint("forged", issuer.organizationResourceToken("u-forged", ORG_API, "o1", "read:members",
                        "write:members").signedWith(attacker).kid(issuer.currentKey().kid()), false),
                mint("wrong-audience", issuer.organizationResourceToken("u-wrong", OTHER_API, "o1", "read:members",
                        "write:members"), true),
                mint("roles-admin-billing", issuer.organizationResourceToken("u-roles", ORG_API, "o1", "read:members")
                        .claim("roles", List.of("admin", "billing")).claim("custom", Map.of("roles", List.of("admin"))),
                        true),
                mint("roles-admin-only", issuer.organizationResourceToken("u-admin-only", ORG_API, "o1", "read:members")
                        .claim("roles", List.of("admin")).claim("custom", Map.of("roles", "billing")), true),
                mint("roles-ill-typed", issuer.globalApiToken("u-odd-roles", ORG_API).claim("roles", 7)
                        .claim("custom", "admin"), true),
                mint("impersonation", issuer.organizationResourceToken("u-impersonated", ORG_API, "o1", "read:members",
                        "write:members").actor("agent-7"), true),
                mint("unreadable-act", issuer.globalApiToken("u-odd-act", ORG_API).claim("act", "agent-7"), true),
                mint("m2m", issuer.m2mToken("m2m-app", ORG_API, "read:members"), true),
                mint("rogue-client", issuer.organizationResourceToken("u-rogue", ORG_API, "o2", "read:members")
                        .clientId("rogue-app"), true));
        System.out.printf("DecisionModelTest: seed %d, %d requests per rules file and container, filter mapped for %s"
                + " (-Ddecision.model.seed=%d -Ddecision.model.count=%d)%n", SEED, COUNT, FILTER_DISPATCHES, SEED, COUNT);
    }

    private static Set<DispatcherType> dispatchers(String list) {
        Set<DispatcherType> types = EnumSet.noneOf(DispatcherType.class);
        for (String t : list.split(",")) {
            types.add(DispatcherType.valueOf(t.trim().toUpperCase(Locale.ROOT)));
        }
        return types;
    }

    /** A token and the claims it was minted with (read back from the builder's payload). */
    private static Token mint(String name, TokenBuilder builder, boolean genuine) {
        String payload = builder.unsignedPayloadJson();
        JsonPath claims = JsonPath.from(payload);
        Object aud = claims.get("aud");
        Set<String> audiences = aud instanceof List<?> l ? Set.copyOf(l.stream().map(String::valueOf).toList())
                : aud == null ? Set.of() : Set.of(aud.toString());
        String scope = claims.getString("scope");
        Set<String> scopes = scope == null || scope.isBlank() ? Set.of() : Set.of(scope.trim().split(" +"));
        return new Token(name, builder.sign(), genuine, claims.getString("sub"), audiences,
                claims.getString("organization_id"), scopes, claims.getMap("$"));
    }

    @AfterAll
    static void stop() {
        StringBuilder all = new StringBuilder("\nDecisionModelTest, all web applications (seed " + SEED + ", " + COUNT
                + " requests each, filter mapped for " + FILTER_DISPATCHES + ")\n");
        SUMMARIES.forEach((app, s) -> all.append("  ").append(s).append('\n'));
        all.append('\n').append(String.format("  %-8s %8s %12s %11s %14s %9s%n", "dispatch",
                "requests", "model allow", "model deny", "target reached", "failures"));
        TOTALS.forEach((d, c) -> all.append(String.format("  %-8s %8d %12d %11d %14d %9d%n", d, c[0], c[1], c[2], c[3],
                c[4])));
        System.out.println(all);
        if (issuer != null) {
            issuer.close();
        }
    }

    static Stream<Arguments> webApps() {
        List<Arguments> apps = new ArrayList<>();
        for (Rules rules : RULES) {
            for (Supplier<Container> kind : Container.kinds()) {
                apps.add(Arguments.of(rules, kind.get().name(), kind));
            }
        }
        return apps.stream();
    }

    // ------------------------------------------------------------------ the test

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("webApps")
    void filterAllowsOnlyWhatTheModelAllows(Rules rules, String containerName, Supplier<Container> kind) throws Exception {
        String app = rules.name() + "/" + containerName;
        ModelWebApp webApp = new ModelWebApp();
        RuleSet ruleSet = RuleSet.load(rules.name() + ".yaml",
                new StringReader(rules.yaml(issuer.endpoint().toString())), Map.<String, String>of()::get);
        Container container = kind.get();
        container.start(Container.FilterSetup.instance(new OrganizationTokenFilter(ruleSet)),
                webApp.layout(FILTER_DISPATCHES));
        Report report = new Report(app);
        long started = System.nanoTime();
        try {
            // The same requests on both containers: the seed depends on the rules file only.
            Random random = new Random(SEED * 31 + RULES.indexOf(rules));
            for (int n = 0; n < COUNT; n++) {
                Planned planned = plan(random, rules, app + "-" + n);
                check(rules, container.port(), webApp, planned, report);
            }
        } finally {
            container.stop();
        }
        String summary = report.summary(Duration.ofNanos(System.nanoTime() - started));
        SUMMARIES.put(app, summary.lines().filter(l -> l.startsWith("== ")).findFirst().orElse(app).substring(3));
        System.out.println(summary);
        if (report.failures() > 0) {
            fail(report.failures() + " failure(s) on " + app + " (seed " + SEED + "; rules below)\n" + summary
                    + "\n" + rules.yaml(issuer.endpoint().toString()));
        }
    }

    /** The model on the cases the review named, so that a change to the model shows here first. */
    @Test
    void theModelItself() {
        Token none = new Token("none", null, false, null, Set.of(), null, Set.of());
        Token o1 = new Token("o1", "x", true, "u", Set.of(ORG_API), "o1", Set.of("read:members", "write:members"));
        Token orgAudience = new Token("org-aud", "x", true, "u", Set.of("urn:logto:organization:o1"), null,
                Set.of("manage:settings"));
        Token expired = new Token("expired", "x", false, "u", Set.of(ORG_API), "o1", Set.of("read:members"));
        // trailing slash: decided as without it, never by unmatched
        assertEquals(Reason.NO_TOKEN, DecisionModel.decide(PUBLIC, "GET", "/api/organizations/o1/members/", none).reason());
        assertTrue(DecisionModel.decide(DENY, "GET", "/health/", none).allow());
        assertTrue(DecisionModel.decide(DENY, "GET", "/dispatch/", none).allow());   // "/x/**" covers "/x/"
        // GET covers HEAD; methods are case-sensitive; a path some rule matches by pattern only: 405, any policy
        assertTrue(DecisionModel.decide(DENY, "HEAD", "/api/organizations/o1/members/m", o1).allow());
        assertEquals(Reason.METHOD_NOT_ALLOWED, DecisionModel.decide(PUBLIC, "get", "/api/me", o1).reason());
        assertEquals(Reason.METHOD_NOT_ALLOWED, DecisionModel.decide(PUBLIC, "PATCH", "/api/organizations/o1/members", o1).reason());
        assertEquals(Reason.METHOD_NOT_ALLOWED, DecisionModel.decide(AUTHENTICATED, "POST", "/health", o1).reason());
        // first rule by path and method: DELETE skips the public GET rule and meets /api/** (organization any)
        assertEquals(Reason.NO_TOKEN, DecisionModel.decide(AUTHENTICATED, "DELETE", "/api/x/public", none).reason());
        assertTrue(DecisionModel.decide(AUTHENTICATED, "GET", "/api/x/public", none).allow());
        // {var} as organization and in an audience; organization from an organization audience
        assertEquals(Reason.ORGANIZATION, DecisionModel.decide(DENY, "GET", "/api/organizations/o2/members", o1).reason());
        assertTrue(DecisionModel.decide(DENY, "PUT", "/orgs/o1/settings", orgAudience).allow());
        assertEquals(Reason.AUDIENCE, DecisionModel.decide(DENY, "PUT", "/orgs/o2/settings", orgAudience).reason());
        assertTrue(DecisionModel.decide(PUBLIC, "GET", "/orgs/o1/anything", o1).allow());
        assertEquals(Reason.AUDIENCE, DecisionModel.decide(PUBLIC, "GET", "/orgs/o1/anything", orgAudience).reason());
        assertEquals(Reason.ORGANIZATION, DecisionModel.decide(PUBLIC, "GET", "/orgs/any/anything", o1).reason());
        // unmatched
        assertEquals(Reason.UNMATCHED_DENY, DecisionModel.decide(DENY, "GET", "/nothing", o1).reason());
        assertTrue(DecisionModel.decide(PUBLIC, "GET", "/nothing", none).allow());
        assertTrue(DecisionModel.decide(AUTHENTICATED, "GET", "/nothing", o1).allow());
        assertEquals(Reason.INVALID_TOKEN, DecisionModel.decide(AUTHENTICATED, "GET", "/nothing", expired).reason());
        assertEquals(Reason.AUDIENCE, DecisionModel.decide(AUTHENTICATED, "GET", "/nothing", orgAudience).reason());
        // literals are case-sensitive; "*" is one segment
        assertEquals(Reason.UNMATCHED_DENY, DecisionModel.decide(DENY, "GET", "/Health", none).reason());
        assertTrue(DecisionModel.decide(DENY, "GET", "/api/v1/status", none).allow());
        assertEquals(Reason.UNMATCHED_DENY, DecisionModel.decide(DENY, "GET", "/api/v1/v2/status", none).reason());
        // issue 14: roles (all, from the file's claim), actor, clients (rule, file default, any), subject kind
        Token roles = new Token("roles", "x", true, "u", Set.of(ORG_API), "o1", Set.of(), Map.of("client_id", "testkit-app",
                "roles", List.of("admin", "billing"), "custom", Map.of("roles", List.of("admin"))));
        Token admin = new Token("admin", "x", true, "u", Set.of(ORG_API), "o1", Set.of(), Map.of("client_id", "testkit-app",
                "roles", List.of("admin")));
        assertTrue(DecisionModel.decide(DENY, "GET", "/billing/x", roles).allow());
        assertEquals(Reason.ROLES, DecisionModel.decide(DENY, "GET", "/billing/x", admin).reason());
        assertTrue(DecisionModel.decide(PUBLIC, "GET", "/billing/x", roles).allow(), "custom.roles holds admin");
        Token acting = new Token("acting", "x", true, "u", Set.of(ORG_API), null, Set.of(), Map.of("client_id", "testkit-app",
                "act", Map.of("sub", "agent")));
        Token oddAct = new Token("odd", "x", true, "u", Set.of(ORG_API), null, Set.of(), Map.of("client_id", "testkit-app",
                "act", "agent"));
        assertEquals(Reason.ACTOR, DecisionModel.decide(DENY, "GET", "/support/x", oddAct).reason());
        assertEquals(Reason.ACTOR, DecisionModel.decide(DENY, "GET", "/support/x", acting).reason());
        assertTrue(DecisionModel.decide(DENY, "GET", "/delegated/x", acting).allow());
        assertEquals(Reason.ACTOR, DecisionModel.decide(DENY, "GET", "/delegated/x", oddAct).reason());
        Token machine = new Token("m2m", "x", true, "m2m-app", Set.of(ORG_API), null, Set.of(), Map.of("client_id", "m2m-app"));
        Token rogue = new Token("rogue", "x", true, "u", Set.of(ORG_API), null, Set.of(), Map.of("client_id", "rogue-app"));
        assertTrue(DecisionModel.decide(DENY, "GET", "/jobs/x", machine).allow());
        assertEquals(Reason.SUBJECT_KIND, DecisionModel.decide(DENY, "GET", "/jobs/x", admin).reason());
        assertEquals(Reason.CLIENT, DecisionModel.decide(DENY, "GET", "/api/me", rogue).reason(), "the file's default");
        assertTrue(DecisionModel.decide(DENY, "GET", "/people/x", rogue).allow(), "the rule's own list");
        assertEquals(Reason.CLIENT, DecisionModel.decide(AUTHENTICATED, "GET", "/nothing", machine).reason());
        // CORS preflights: only the exact shape, REQUEST dispatches, where the file passes them
        Headers preflight = new Headers(true, true, false);
        assertEquals(Reason.CORS_PREFLIGHT, DecisionModel.decide(DENY, "OPTIONS", "/api/me", none, preflight,
                jakarta.servlet.DispatcherType.REQUEST).reason());
        assertEquals(Reason.METHOD_NOT_ALLOWED, DecisionModel.decide(PUBLIC, "OPTIONS", "/api/organizations/o1/members/x",
                none, preflight, jakarta.servlet.DispatcherType.REQUEST).reason(), "refused where the file does not pass them");
        assertEquals(Reason.NO_TOKEN, DecisionModel.decide(DENY, "OPTIONS", "/api/me", none, new Headers(true, true, true),
                jakarta.servlet.DispatcherType.REQUEST).reason(), "a cookie");
        assertEquals(Reason.NO_TOKEN, DecisionModel.decide(DENY, "OPTIONS", "/api/me", none, preflight,
                jakarta.servlet.DispatcherType.FORWARD).reason(), "a forward");
        assertEquals(Reason.NO_TOKEN, DecisionModel.decide(DENY, "OPTIONS", "/api/me", none, new Headers(true, false, false),
                jakarta.servlet.DispatcherType.REQUEST).reason(), "no Access-Control-Request-Method");
    }

    /** Sends one request and checks everything it caused. */
    private static void check(Rules rules, int port, ModelWebApp webApp, Planned p, Report report) {
        List<String> headers = new ArrayList<>();
        headers.add(ModelWebApp.REQUEST_ID + ": " + p.id());
        if (p.token().jws() != null) {
            headers.add("Authorization: Bearer " + p.token().jws());
        }
        if (p.headers().origin()) {
            headers.add("Origin: http://spa.example.test");
        }
        if (p.headers().requestMethod()) {
            headers.add("Access-Control-Request-Method: GET");
            headers.add("Access-Control-Request-Headers: authorization");
        }
        if (p.headers().cookie()) {
            headers.add("Cookie: session=s-1");
        }
        if (Set.of("POST", "PUT", "PATCH").contains(p.method())) {
            headers.add("Content-Length: 0");
        }
        Answer answer = RawHttp.send(port, p.requestLine(), headers.toArray(String[]::new));
        List<Seen> seen = webApp.take(p.id());
        DispatcherType targetType = switch (p.dispatch()) {
            case DIRECT -> DispatcherType.REQUEST;
            case FORWARD -> DispatcherType.FORWARD;
            case INCLUDE -> DispatcherType.INCLUDE;
            case ASYNC -> DispatcherType.ASYNC;
            case ERROR -> DispatcherType.ERROR;
        };
        Verdict expected = DecisionModel.decide(rules, p.method(), p.target(), p.token(), p.headers(), targetType);
        boolean reached = seen.stream().anyMatch(s -> s.type() == targetType);
        report.count(p, expected, reached, seen);

        for (Seen s : seen) {
            Verdict v = DecisionModel.decide(rules, s.method(), s.target(), p.token(), p.headers(), s.type());
            if (!v.allow()) {
                report.failure(mismatchGroup(rules, s, v, p.token()), p, answer, s, v);
            }
            if (s.principal() != null && (!p.token().genuine() || !s.principal().equals(p.token().subject()))) {
                report.failure("principal not from a genuine token's subject", p, answer, s, v);
            }
        }
        if (answer.status() < 0 || answer.status() >= 500) {
            report.failure("status " + answer.status(), p, answer, null, expected);
        }
        if (p.token().jws() != null && (answer.body().contains(p.token().jws())
                || answer.headerText().contains(p.token().jws()))) {
            report.failure("the answer contains the token", p, answer, null, expected);
        }
        boolean liveness = p.dispatch() == Dispatch.DIRECT && p.plain() && !p.target().startsWith("/dispatch");
        if (liveness && expected.allow() && !(reached && answer.status() >= 200 && answer.status() < 300)) {
            report.failure("liveness: model ALLOWs, " + (reached ? "answer " + answer.status() : "no servlet reached")
                    + (isTrailingSlash(p.target()) ? ", trailing slash" : ""), p, answer, null, expected);
        }
        if (p.dispatch() != Dispatch.DIRECT && expected.allow() && !reached) {
            boolean jettyNoErrorPage = p.dispatch() == Dispatch.ERROR && !Set.of("GET", "POST", "HEAD").contains(p.method());
            report.info("info: model ALLOWs the " + p.dispatch() + " target, no servlet reached it (answer "
                    + answer.status() + (isTrailingSlash(p.target()) ? ", trailing slash" : "")
                    + (jettyNoErrorPage ? ", method not GET/POST/HEAD: Jetty shows no error page" : "") + ")",
                    p, answer, expected);
        }
        if (p.dispatch() == Dispatch.DIRECT && reached) {
            seen.stream().filter(s -> s.type() == DispatcherType.REQUEST && !s.target().equals(p.target()))
                    .findFirst().ifPresent(s -> report.note("servlet saw another path than sent: " + p + " -> " + s));
        }
    }

    private static boolean isTrailingSlash(String path) {
        return path.length() > 1 && path.endsWith("/");
    }

    /**
     * Groups a safety mismatch under the review finding that explains it, or as UNEXPLAINED (a
     * candidate new bypass). The explanations are hypotheses about the current filter, checked
     * against the model; they only label the report.
     */
    private static String mismatchGroup(Rules rules, Seen s, Verdict v, Token token) {
        String where = " (" + s.type() + ", model DENY " + v.reason() + ")";
        if (!FILTER_DISPATCHES.contains(s.type())) {
            return "safety, finding filter not mapped for " + s.type() + " dispatches" + where;
        }
        if (s.type() == DispatcherType.INCLUDE
                && DecisionModel.decide(rules, s.method(), outer(s), token).allow()) {
            return "safety, finding INCLUDE decided on the outer path" + where;
        }
        boolean unmatchedAllows = DecisionModel.byUnmatchedPolicy(rules, token).allow();
        if (isTrailingSlash(s.target()) && unmatchedAllows) {
            return "safety, finding trailing slash decided by unmatched" + where;
        }
        if (v.reason() == Reason.METHOD_NOT_ALLOWED && unmatchedAllows) {
            return "safety, finding unlisted method falls through to unmatched" + where;
        }
        return "safety, UNEXPLAINED" + where;
    }

    private static String outer(Seen s) {
        String o = (s.servletPath() == null ? "" : s.servletPath()) + (s.pathInfo() == null ? "" : s.pathInfo());
        return o.isEmpty() ? "/" : o;
    }

    // ------------------------------------------------------------------ generation

    private static Planned plan(Random r, Rules rules, String id) {
        String method = METHODS[r.nextInt(METHODS.length)];
        Token token = tokens.get(r.nextInt(tokens.size()));
        // One request in four carries CORS headers: mostly a browser's preflight (OPTIONS, no token), sometimes
        // with a cookie or a token, on another method, or with only one of the two headers.
        Headers headers = Headers.PLAIN;
        int cors = r.nextInt(12);
        if (cors < 3) {
            headers = cors < 2 ? new Headers(true, true, r.nextInt(6) == 0)
                    : new Headers(r.nextBoolean(), r.nextBoolean(), r.nextInt(6) == 0);
            if (r.nextInt(4) != 0) {
                method = "OPTIONS";
            }
            if (r.nextInt(3) != 0) {
                token = tokens.get(0);   // none
            }
        }
        int d = r.nextInt(20);
        Dispatch dispatch = d < 8 ? Dispatch.DIRECT : d < 11 ? Dispatch.FORWARD : d < 14 ? Dispatch.INCLUDE
                : d < 17 ? Dispatch.ASYNC : Dispatch.ERROR;
        if (dispatch == Dispatch.ERROR) {
            int code = r.nextInt(4) == 0 ? 410 : 409;
            return new Planned(id, method, "/dispatch/error?code=" + code, dispatch, ModelWebApp.ERROR_PAGES.get(code),
                    true, token, headers);
        }
        String path = path(r, rules);
        boolean encode = r.nextInt(10) < 3;
        String written = encode ? encodeSome(r, path) : path;
        String requestTarget = switch (dispatch) {
            case DIRECT -> written;
            case FORWARD -> "/dispatch/forward?target=" + written.replace("%", "%25");
            case INCLUDE -> "/dispatch/include?target=" + written.replace("%", "%25");
            case ASYNC -> "/dispatch/async?target=" + written.replace("%", "%25");
            case ERROR -> throw new AssertionError();
        };
        return new Planned(id, method, requestTarget, dispatch, path, !encode, token, headers);
    }

    /** A path built from a rule's pattern (mostly) or from random segments, then perturbed. */
    private static String path(Random r, Rules rules) {
        List<String> segments = new ArrayList<>();
        if (r.nextInt(10) < 7) {
            String pattern = rules.rules().get(r.nextInt(rules.rules().size())).path();
            for (String p : DecisionModel.segments(pattern)) {
                if (p.equals("**")) {
                    for (int i = r.nextInt(3); i > 0; i--) {
                        segments.add(segment(r));
                    }
                } else if (p.equals("*")) {
                    segments.add(segment(r));
                } else if (p.startsWith("{")) {
                    segments.add(r.nextInt(5) < 4 ? (r.nextBoolean() ? "o1" : "o2") : segment(r));
                } else {
                    segments.add(p);
                }
            }
        } else {
            for (int i = r.nextInt(5); i > 0; i--) {
                segments.add(segment(r));
            }
        }
        if (!segments.isEmpty() && r.nextInt(10) == 0) {
            segments.remove(segments.size() - 1);
        }
        if (r.nextInt(10) == 0) {
            segments.add(segment(r));
        }
        if (!segments.isEmpty() && r.nextInt(8) == 0) {
            int i = r.nextInt(segments.size());
            segments.set(i, caseVariant(r, segments.get(i)));
        }
        String path = "/" + String.join("/", segments);
        return segments.isEmpty() || r.nextInt(4) != 0 ? path : path + "/";
    }

    private static String segment(Random r) {
        int k = r.nextInt(10);
        if (k < 5) {
            return LITERALS[r.nextInt(LITERALS.length)];
        }
        if (k < 7) {
            return r.nextBoolean() ? "o1" : "o2";
        }
        StringBuilder s = new StringBuilder();
        for (int i = 1 + r.nextInt(5); i > 0; i--) {
            s.append("abcdefghijklmnopqrstuvwxyz0123456789-".charAt(r.nextInt(37)));
        }
        return s.toString();
    }

    private static String caseVariant(Random r, String s) {
        return switch (r.nextInt(3)) {
            case 0 -> s.toUpperCase(Locale.ROOT);
            case 1 -> Character.toUpperCase(s.charAt(0)) + s.substring(1);
            default -> {
                int i = r.nextInt(s.length());
                char c = s.charAt(i);
                char flipped = Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
                yield s.substring(0, i) + flipped + s.substring(i + 1);
            }
        };
    }

    /** Percent-encodes some letters, digits and '-' (at least one when there is one), hex digits in either case. */
    private static String encodeSome(Random r, String path) {
        StringBuilder b = new StringBuilder();
        boolean any = false;
        int firstEligible = -1;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            boolean eligible = Character.isLetterOrDigit(c) || c == '-';
            if (eligible && firstEligible < 0) {
                firstEligible = b.length();
            }
            if (eligible && r.nextInt(5) == 0) {
                b.append(percent(r, c));
                any = true;
            } else {
                b.append(c);
            }
        }
        if (!any && firstEligible >= 0) {
            char c = b.charAt(firstEligible);
            b.replace(firstEligible, firstEligible + 1, percent(r, c));
        }
        return b.toString();
    }

    private static String percent(Random r, char c) {
        String hex = String.format("%02X", (int) c);
        return "%" + (r.nextBoolean() ? hex : hex.toLowerCase(Locale.ROOT));
    }

    // ------------------------------------------------------------------ the report

    /** Counts, failures grouped with a few full examples, notes. */
    private static final class Report {
        private final String app;
        private final Map<Dispatch, int[]> counts = new EnumMap<>(Dispatch.class);   // requests, allow, deny, reached
        private final Map<DispatcherType, Integer> invocations = new EnumMap<>(DispatcherType.class);
        private final Map<String, List<String>> failures = new TreeMap<>();
        private final Map<String, Integer> failureCounts = new TreeMap<>();
        private final List<String> notes = new ArrayList<>();
        private int total;
        private int infos;
        /** Requests the model passes as CORS preflights, and how many of them reached a servlet. */
        private final int[] preflights = new int[2];

        Report(String app) {
            this.app = app;
        }

        void count(Planned p, Verdict expected, boolean reached, List<Seen> seen) {
            if (expected.reason() == Reason.CORS_PREFLIGHT) {
                preflights[0]++;
                preflights[1] += reached ? 1 : 0;
            }
            int[] c = counts.computeIfAbsent(p.dispatch(), k -> new int[4]);
            c[0]++;
            c[expected.allow() ? 1 : 2]++;
            if (reached) {
                c[3]++;
            }
            synchronized (TOTALS) {
                int[] t = TOTALS.computeIfAbsent(p.dispatch(), k -> new int[5]);
                t[0]++;
                t[expected.allow() ? 1 : 2]++;
                if (reached) {
                    t[3]++;
                }
            }
            seen.forEach(s -> invocations.merge(s.type(), 1, Integer::sum));
        }

        void failure(String group, Planned p, Answer answer, Seen seen, Verdict model) {
            total++;
            synchronized (TOTALS) {
                TOTALS.computeIfAbsent(p.dispatch(), k -> new int[5])[4]++;
            }
            failureCounts.merge(group, 1, Integer::sum);
            List<String> examples = failures.computeIfAbsent(group, k -> new ArrayList<>());
            if (examples.size() < EXAMPLES) {
                String body = answer.body().length() > 160 ? answer.body().substring(0, 160) + "..." : answer.body();
                examples.add("  " + p.id() + ": " + p.requestLine() + "  token=" + p.token().name() + "  dispatch="
                        + p.dispatch() + "  target=" + p.target() + "\n      answer " + answer.status() + " "
                        + body.replace("\n", " ").trim() + "\n      servlet saw " + seen + "\n      model "
                        + model);
            }
        }

        /** Like a failure, but does not fail the test. */
        void info(String group, Planned p, Answer answer, Verdict model) {
            failure(group, p, answer, null, model);
            total--;
            infos++;
            synchronized (TOTALS) {
                TOTALS.get(p.dispatch())[4]--;
            }
        }

        void note(String note) {
            if (notes.size() < 10) {
                notes.add(note);
            }
        }

        int failures() {
            return total;
        }

        String summary(Duration took) {
            StringBuilder s = new StringBuilder("\n== ").append(app).append(": ").append(COUNT).append(" requests in ")
                    .append(took.toMillis()).append(" ms, ").append(total).append(" failure(s), ")
                    .append(infos).append(" info\n")
                    .append(String.format("  %-8s %8s %12s %11s %14s%n", "dispatch", "requests", "model allow",
                            "model deny", "target reached"));
            counts.forEach((d, c) -> s.append(String.format("  %-8s %8d %12d %11d %14d%n", d, c[0], c[1], c[2], c[3])));
            s.append("  servlet invocations by dispatcher type: ").append(invocations).append('\n');
            s.append("  CORS preflights the model passes: ").append(preflights[0]).append(", reached the application: ")
                    .append(preflights[1]).append('\n');
            failureCounts.forEach((group, n) -> {
                s.append(" ").append(n).append(" x ").append(group).append('\n');
                failures.get(group).forEach(e -> s.append(e).append('\n'));
            });
            notes.forEach(n -> s.append("  note: ").append(n).append('\n'));
            return s.toString();
        }
    }
}
