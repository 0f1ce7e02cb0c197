package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
 * Path-confusion and method payloads (Shiro, Spring Security, Jetty and Tomcat normalization
 * CVEs), sent as raw request lines over a socket so nothing normalizes them on the way. Each runs
 * against both containers with default settings. A payload passes when it is refused (400, 401,
 * 403, 404 or 405; never 5xx, never the application), or when it reaches the application at exactly
 * the path the rules cover for its token (asserted through the echo servlet's hit counter and the
 * path it saw). Tokens: "o2" passes /api/me and o2's members only; "o1" likewise for o1.
 *
 * <p>Observed (Jetty 12.0.15 / Tomcat 10.1.33; "C" = the container refused before the filter
 * ran, "F" = the filter refused, "app" = reached the echo servlet legitimately):
 * <pre>
 * payload (token)                                            jetty    tomcat
 * control: GET o2 members (o2) / o1 members (o2)             app/403F app/403F
 * o2 members/..;/..;/o1 members, o1/members/..;/x (o2)       400C     400F   Tomcat treats ..; as .., filter refuses ';'
 * %2e%2e, %2E%2E, .%2e, %252e, // (o2 / none)                400C     400F   Tomcat decodes and normalizes; filter refuses
 * ..%2f, %2e%2e%2f, o2%2f..%2fo1, ..%5c, %c0%ae, %u002e      400C     400C
 * %00 (in id, at end), /health%00/../admin                   400C     400C
 * %0a, %0d, %09 at the end of the path (o2)                  400C     400F
 * plain ../ and /./ segments, trailing /.. (o2 / none)       400F     400F   both normalize, filter refuses dot segments
 * /health/../../../admin (above the root), raw backslash     400C     400C
 * ;jsessionid=x (in id, at end), /health;/../admin, %3b      400F     400F
 * //health/../admin                                          400C     400F
 * absolute-form GET http://127.0.0.1:port/health/../...      400F     400F   (other port in the URI: 400C on both)
 * absolute-form GET http://127.0.0.1:port/api/me (o2)        app      app    routes /api/me, which o2 may use
 * /API/..., %6f1 (encoded 'o'), X-Original-URL (o2)          403F     403F
 * HEAD o1 members (o2) / (o1)                                403F/app 403F/app  GET covers HEAD
 * FOO, lower-case get, POST + X-HTTP-Method-Override (o1)    405F     405F   GET-only rule covers the path
 * OPTIONS * (o2)                                             404C     200C   Tomcat answers it itself, app not reached
 * CONNECT 127.0.0.1:port (o2)                                403F     501C   Tomcat: method not implemented
 * TRACE /api/me (o2)                                         app      405C   Tomcat disables TRACE; /api/me has no method list
 * ?x=/../o2 query, trailing slash o1/members/ (o2)           403F     403F   (the members rule: another org)
 * /health#/../admin, /api/me#x (fragment in the target)      app      400C   Jetty drops the fragment: /health, /api/me
 * /health?/../admin (query)                                  app      app    the path is /health
 * /HEALTH, /admin, /api/me%20                                 403F     403F   unmatched: deny
 * /health/ (none), /api/me/ (o2)                              app      app    trailing slash: the rule without it
 * /api/me/.                                                  400F     400F
 * </pre>
 * The containers differ in who refuses (Jetty's default URI compliance rejects most ambiguous
 * URIs itself; Tomcat decodes and normalizes many of them and leaves the refusal to the filter)
 * and on fragments, OPTIONS *, CONNECT and TRACE; the outcome for the application is the same on
 * both: nothing reaches it that the rules do not cover for the token. The table is printed to the
 * test output after each run.
 */
class PathBypassTest {
    private static LogtoTestIssuer issuer;
    private static List<Deployment> running;
    private static final Map<Token, String> TOKENS = new EnumMap<>(Token.class);
    /** payload id -> container -> "403 filter"; printed as a table after the class, to keep the comment above current. */
    private static final Map<String, Map<String, String>> OBSERVED = new LinkedHashMap<>();

    /** Which token a payload carries. */
    enum Token {
        /** No Authorization header. */
        NONE,
        /** Organization-resource token for o2 with read:members: passes /api/me and o2's members, nothing else. */
        O2,
        /** The same for o1. */
        O1
    }

    /**
     * One raw request.
     *
     * @param id short name for the table
     * @param requestLine sent exactly as written ({@code {port}} is replaced by the container's port)
     * @param token the token it carries
     * @param mayReach null when the application must not be reached; else the only path (servlet
     *     path + path info) the application may see, because the rules really cover it for this token
     * @param mustPass true when a refusal would be wrong
     * @param containerMay statuses outside 400/401/403/404 that a container may answer on its own,
     *     before the filter runs (never reaching the application)
     * @param headers extra header lines
     */
    record Payload(String id, String requestLine, Token token, String mayReach, boolean mustPass,
            Set<Integer> containerMay, List<String> headers) {
        @Override
        public String toString() {
            return id;
        }

        /** Sends the raw request line and headers, plus the bearer token when there is one. */
        Answer send(Deployment d, String bearerToken) {
            List<String> all = new ArrayList<>(headers);
            if (bearerToken != null) {
                all.add("Authorization: Bearer " + bearerToken);
            }
            int port = d.container().port();
            return RawHttp.send(port, requestLine.replace("{port}", Integer.toString(port)), all.toArray(String[]::new));
        }
    }

    private static Payload refuse(String id, String requestLine, Token token, String... headers) {
        return new Payload(id, requestLine, token, null, false, Set.of(), List.of(headers));
    }

    private static Payload get(String id, String path, Token token) {
        return refuse(id, "GET " + path + " HTTP/1.1", token);
    }

    private static Payload mayReach(String id, String requestLine, Token token, String path) {
        return new Payload(id, requestLine, token, path, false, Set.of(), List.of());
    }

    private static Payload mustReach(String id, String requestLine, Token token, String path) {
        return new Payload(id, requestLine, token, path, true, Set.of(), List.of());
    }

    private static Payload containerMay(Payload p, Integer... statuses) {
        return new Payload(p.id(), p.requestLine(), p.token(), p.mayReach(), p.mustPass(), Set.of(statuses),
                p.headers());
    }

    static List<Payload> payloads() {
        List<Payload> p = new ArrayList<>();
        // controls: the token works where the rules allow it, and not next door
        p.add(mustReach("control: own organization", "GET /api/organizations/o2/members HTTP/1.1", Token.O2,
                "/api/organizations/o2/members"));
        p.add(get("control: other organization", "/api/organizations/o1/members", Token.O2));
        // o2's token must not reach o1's members (it passes o2's members and /api/me)
        p.add(get("shiro ..;", "/api/organizations/o1/members/..;/x", Token.O2));
        p.add(get("shiro ..;/..;", "/api/organizations/o2/members/..;/..;/o1/members", Token.O2));
        p.add(get("dot-dot", "/api/organizations/o2/members/../../o1/members", Token.O2));
        p.add(get("%2e%2e", "/api/organizations/o2/members/%2e%2e/%2e%2e/o1/members", Token.O2));
        p.add(get("%2E%2E", "/api/organizations/o2/members/%2E%2E/%2E%2E/o1/members", Token.O2));
        p.add(get("..%2f", "/api/organizations/o2/members/..%2f..%2fo1/members", Token.O2));
        p.add(get("%2e%2e%2f", "/api/organizations/o2/members/%2e%2e%2f%2e%2e%2fo1/members", Token.O2));
        p.add(get("..%5c", "/api/organizations/o2/members/..%5c..%5co1/members", Token.O2));
        p.add(get("%252e", "/api/organizations/o2/members/%252e%252e/%252e%252e/o1/members", Token.O2));
        p.add(get("overlong %c0%ae", "/api/organizations/o2/members/%c0%ae%c0%ae/%c0%ae%c0%ae/o1/members", Token.O2));
        p.add(get("/./../", "/api/organizations/o2/members/./../../o1/members", Token.O2));
        p.add(get("trailing /..", "/api/organizations/o1/members/x/..", Token.O2));
        p.add(get("/./", "/api/organizations/o1/./members", Token.O2));
        p.add(get(";jsessionid in id", "/api/organizations/o1;jsessionid=x/members", Token.O2));
        p.add(get(";jsessionid at end", "/api/organizations/o1/members;jsessionid=x", Token.O2));
        p.add(get("o2%2f..%2fo1", "/api/organizations/o2%2f..%2fo1/members", Token.O2));
        p.add(get("//", "/api/organizations//o1/members", Token.O2));
        p.add(get("%00 in id", "/api/organizations/o1%00/members", Token.O2));
        p.add(get("%00", "/api/organizations/o1/members%00", Token.O2));
        p.add(get("%0a", "/api/organizations/o1/members%0a", Token.O2));
        p.add(get("%0d", "/api/organizations/o1/members%0d", Token.O2));
        p.add(get("%09", "/api/organizations/o1/members%09", Token.O2));
        p.add(get("upper-case /API", "/API/organizations/o1/members", Token.O2));
        p.add(get("encoded letter %6f1", "/api/organizations/%6f1/members", Token.O2));
        p.add(refuse("X-Original-URL", "GET /api/organizations/o1/members HTTP/1.1", Token.O2,
                "X-Original-URL: /api/organizations/o2/members", "X-Rewrite-URL: /api/organizations/o2/members"));
        // method tricks
        p.add(refuse("HEAD, other org", "HEAD /api/organizations/o1/members HTTP/1.1", Token.O2));
        p.add(mustReach("HEAD on a GET rule", "HEAD /api/organizations/o1/members HTTP/1.1", Token.O1,
                "/api/organizations/o1/members"));
        p.add(refuse("unknown method FOO", "FOO /api/organizations/o1/members HTTP/1.1", Token.O1));
        p.add(refuse("lower-case get", "get /api/organizations/o1/members HTTP/1.1", Token.O1));
        p.add(refuse("X-HTTP-Method-Override", "POST /api/organizations/o1/members HTTP/1.1", Token.O1,
                "X-HTTP-Method-Override: GET", "Content-Length: 0"));
        // from the public /health to /admin (unmatched: deny) or /api/me (needs a token), without a token
        p.add(get("/health/../admin", "/health/../admin", Token.NONE));
        p.add(get("/health/..;/admin", "/health/..;/admin", Token.NONE));
        p.add(get("/health;/../admin", "/health;/../admin", Token.NONE));
        p.add(get("/health/%2e%2e/admin", "/health/%2e%2e/admin", Token.NONE));
        p.add(get("/health/.%2e/admin", "/health/.%2e/admin", Token.NONE));
        p.add(get("/health/..%2fadmin", "/health/..%2fadmin", Token.NONE));
        p.add(get("/health%2f..%2fadmin", "/health%2f..%2fadmin", Token.NONE));
        p.add(get("/health/..%5cadmin", "/health/..%5cadmin", Token.NONE));
        p.add(get("/health%3b/../admin", "/health%3b/../admin", Token.NONE));
        p.add(get("/health/%c0%ae%c0%ae/admin", "/health/%c0%ae%c0%ae/admin", Token.NONE));
        p.add(get("/health/%u002e%u002e/admin", "/health/%u002e%u002e/admin", Token.NONE));
        p.add(get("/health%00/../admin", "/health%00/../admin", Token.NONE));
        p.add(get("/health/../../../admin", "/health/../../../admin", Token.NONE));
        p.add(get("raw backslash", "/health\\..\\admin", Token.NONE));
        p.add(get("//health/../admin", "//health/../admin", Token.NONE));
        p.add(get("/health/../api/me", "/health/../api/me", Token.NONE));
        p.add(refuse("absolute-form, other port", "GET http://127.0.0.1/health/../api/me HTTP/1.1", Token.NONE));
        p.add(refuse("absolute-form", "GET http://127.0.0.1:{port}/health/../api/me HTTP/1.1", Token.NONE));
        p.add(refuse("absolute-form to /admin", "GET http://127.0.0.1:{port}/health/../admin HTTP/1.1", Token.NONE));
        p.add(mayReach("absolute-form, clean", "GET http://127.0.0.1:{port}/api/me HTTP/1.1", Token.O2, "/api/me"));
        p.add(containerMay(refuse("asterisk-form OPTIONS *", "OPTIONS * HTTP/1.1", Token.O2), 200));
        p.add(containerMay(refuse("authority-form CONNECT", "CONNECT 127.0.0.1:{port} HTTP/1.1", Token.O2), 501));
        p.add(containerMay(mayReach("TRACE on a rule without methods", "TRACE /api/me HTTP/1.1", Token.O2, "/api/me"), 405));
        p.add(get("query ?x=/../o2", "/api/organizations/o1/members?x=/../../o2/members", Token.O2));
        p.add(get("trailing slash, other org", "/api/organizations/o1/members/", Token.O2));
        p.add(mayReach("fragment /health#/../admin", "GET /health#/../admin HTTP/1.1", Token.NONE, "/health"));
        p.add(mayReach("query /health?/../admin", "GET /health?/../admin HTTP/1.1", Token.NONE, "/health"));
        p.add(get("/HEALTH", "/HEALTH", Token.NONE));
        // One trailing slash is decided by the rule without it (outside review, finding 1).
        p.add(mustReach("/health/", "GET /health/ HTTP/1.1", Token.NONE, "/health/"));
        p.add(get("/admin", "/admin", Token.O2));
        // /api/me look-alikes with a token that passes /api/me itself
        p.add(mustReach("/api/me/", "GET /api/me/ HTTP/1.1", Token.O2, "/api/me/"));
        p.add(get("/api/me%20", "/api/me%20", Token.O2));
        p.add(get("/api/me/.", "/api/me/.", Token.O2));
        p.add(mayReach("fragment /api/me#x", "GET /api/me#x HTTP/1.1", Token.O2, "/api/me"));
        return p;
    }

    @BeforeAll
    static void start() {
        issuer = LogtoTestIssuer.start();
        TOKENS.put(Token.O1, issuer.organizationResourceToken("user-o1", ORG_API, "o1", "read:members").sign());
        TOKENS.put(Token.O2, issuer.organizationResourceToken("user-o2", ORG_API, "o2", "read:members").sign());
        running = Deployment.onBoth(() -> new OrganizationTokenFilter(TestRules.load(issuer.endpoint())));
    }

    @AfterAll
    static void stop() {
        StringBuilder table = new StringBuilder("\npayload | jetty | tomcat\n");
        OBSERVED.forEach((id, byContainer) -> table.append(id).append(" | ").append(byContainer.get("jetty"))
                .append(" | ").append(byContainer.get("tomcat")).append('\n'));
        System.out.println(table);
        Deployment.stopAll(running);
        if (issuer != null) {
            issuer.close();
        }
    }

    static Stream<Arguments> cases() {
        return running.stream().flatMap(d -> payloads().stream().map(p -> Arguments.of(d, p)));
    }

    /** Who answered: the application, the filter (a problem+json refusal) or the container itself. */
    private static String answeredBy(Answer answer, boolean reachedApplication) {
        if (reachedApplication) {
            return "app";
        }
        String type = answer.headers().containsKey("content-type") ? answer.headers().get("content-type").get(0) : "";
        return type.startsWith("application/problem+json") ? "filter" : "container";
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void payloadIsRefusedOrReallyCovered(Deployment d, Payload payload) {
        String token = payload.token() == Token.NONE ? null : TOKENS.get(payload.token());
        int before = d.hits();
        EchoServlet.Seen lastBefore = d.app().last();
        Answer answer = payload.send(d, token);
        boolean reached = d.hits() != before;
        String by = answeredBy(answer, reached);
        OBSERVED.computeIfAbsent(payload.id(), k -> new LinkedHashMap<>()).put(d.name(), answer.status() + " " + by);
        Problems.assertNoSecrets(answer, token);
        if (reached) {
            String seen = d.app().last().path();
            if (payload.mayReach() == null || !payload.mayReach().equals(seen)) {
                fail("BYPASS: " + payload.requestLine() + " reached the application as " + seen + " with " + payload.token()
                        + ": " + answer);
            }
            assertEquals(before + 1, d.hits());
            assertEquals(200, answer.status(), answer::toString);
            // the application saw the token's subject as its principal (none on the public path)
            String subject = seen.equals("/health") || seen.equals("/health/") || token == null ? null
                    : payload.token() == Token.O1 ? "user-o1" : "user-o2";
            assertEquals(subject, d.app().last().principal());
            return;
        }
        assertEquals(lastBefore, d.app().last());
        if (payload.mustPass()) {
            fail(payload.requestLine() + " is covered by a rule the token satisfies, but was refused: " + answer);
        }
        if (by.equals("container") && payload.containerMay().contains(answer.status())) {
            return;   // the container's own answer, before any filter or servlet (see the table)
        }
        assertTrue(Set.of(400, 401, 403, 404, 405).contains(answer.status()), () -> "unexpected " + answer);
    }
}
