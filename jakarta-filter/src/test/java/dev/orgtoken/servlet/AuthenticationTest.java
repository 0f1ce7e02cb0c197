package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.Problems.NO_TOKEN;
import static dev.orgtoken.servlet.Problems.assertProblem;
import static dev.orgtoken.servlet.Problems.invalidRequest;
import static dev.orgtoken.servlet.Problems.invalidToken;
import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.SigningKey;
import io.restassured.path.json.JsonPath;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who gets through at all: public paths, the missing token, a valid token and what the
 * application then sees, malformed credentials (400) and invalid tokens (401).
 */
class AuthenticationTest {
    private static LogtoTestIssuer issuer;
    private static List<Deployment> running;

    @BeforeAll
    static void start() {
        issuer = LogtoTestIssuer.start();
        running = Deployment.onBoth(() -> new OrganizationTokenFilter(TestRules.load(issuer.endpoint())));
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

    private static String meToken() {
        return issuer.globalApiToken("user-1", ORG_API, "read:profile", "write:profile").sign();
    }

    // ------------------------------------------------------------------ public path

    @OnBothContainers
    void publicPathPassesWithoutToken(Deployment d) {
        int before = d.hits();
        JsonPath seen = d.request().get("/health").then().statusCode(200).extract().jsonPath();
        assertEquals(before + 1, d.hits());
        assertEquals("/health", seen.getString("path"));
        assertNull(seen.getString("principal"));
        assertNull(seen.getString("authType"));
        assertFalse(seen.getBoolean("verifiedToken"));
    }

    @OnBothContainers
    void publicPathIgnoresGarbageToken(Deployment d) {
        int before = d.hits();
        JsonPath seen = d.request().header("Authorization", "Bearer not.a.token")
                .get("/health").then().statusCode(200).extract().jsonPath();
        assertEquals(before + 1, d.hits());
        assertNull(seen.getString("principal"), "a public path never authenticates");
        assertNull(seen.getString("authType"));
        assertFalse(seen.getBoolean("verifiedToken"));
    }

    // ------------------------------------------------------------------ /api/me

    @OnBothContainers
    void missingTokenIsChallengedWithoutError(Deployment d) {
        int before = d.hits();
        Answer answer = Answer.of(d.request().get("/api/me"));
        assertProblem(answer, 401, NO_TOKEN, "a bearer token is required");
        assertEquals(before, d.hits(), "the application was reached");
    }

    @OnBothContainers
    void validTokenReachesTheApplicationAsItsPrincipal(Deployment d) {
        String token = meToken();
        int before = d.hits();
        JsonPath seen = d.request().header("Authorization", "Bearer " + token)
                .queryParam("roles", "read:profile,write:profile,admin,read:members")
                .get("/api/me").then().statusCode(200).extract().jsonPath();
        assertEquals(before + 1, d.hits());
        assertEquals("/api/me", seen.getString("path"));
        assertEquals("GET", seen.getString("method"));
        assertEquals("user-1", seen.getString("principal"));
        assertEquals("Bearer", seen.getString("authType"));
        assertEquals(Map.of("read:profile", true, "write:profile", true, "admin", false, "read:members", false),
                seen.getMap("roles"));
        assertTrue(seen.getBoolean("verifiedToken"), "OrganizationTokenFilter.verifiedToken(request) is empty");
        assertNull(seen.getString("organization"));
    }

    @OnBothContainers
    void verifiedTokenCarriesTheOrganization(Deployment d) {
        String token = issuer.organizationResourceToken("user-2", ORG_API, "o1", "read:members").sign();
        JsonPath seen = d.request().header("Authorization", "Bearer " + token).queryParam("roles", "read:members")
                .get("/api/me").then().statusCode(200).extract().jsonPath();
        assertEquals("user-2", seen.getString("principal"));
        assertEquals("o1", seen.getString("organization"));
        assertEquals(Map.of("read:members", true), seen.getMap("roles"));
    }

    /** Concurrent requests with different tokens: each one reaches the application as its own principal. */
    @OnBothContainers
    void concurrentRequestsKeepTheirOwnPrincipal(Deployment d) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String subject = "user-" + (i % 10);
                String token = issuer.organizationResourceToken(subject, ORG_API, "org-" + (i % 10)).sign();
                results.add(pool.submit(() -> {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(d.container().baseUri().resolve("/api/me"))
                            .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                    JsonPath seen = JsonPath.from(r.body());
                    return r.statusCode() + " " + seen.getString("principal") + " " + seen.getString("organization");
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                assertEquals("200 user-" + (i % 10) + " org-" + (i % 10), results.get(i).get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @OnBothContainers
    void headRequestIsFilteredLikeGet(Deployment d) {
        int before = d.hits();
        d.request().head("/api/me").then().statusCode(401).header("WWW-Authenticate", NO_TOKEN);
        assertEquals(before, d.hits());
        d.request().header("Authorization", "Bearer " + meToken()).head("/api/me").then().statusCode(200);
        assertEquals(before + 1, d.hits());
        assertEquals("user-1", d.app().last().principal());
        assertEquals("HEAD", d.app().last().method());
    }

    // ------------------------------------------------------------------ malformed credentials: 400

    @OnBothContainers
    void twoAuthorizationHeaders(Deployment d) {
        String token = meToken();
        int before = d.hits();
        // A raw request, so that the two header lines arrive as two headers.
        Answer answer = RawHttp.send(d.container().port(), "GET /api/me HTTP/1.1",
                "Authorization: Bearer " + token, "Authorization: Bearer " + token);
        assertProblem(answer, 400, invalidRequest("more than one Authorization header"),
                "more than one Authorization header", token);
        assertEquals(before, d.hits());
    }

    @OnBothContainers
    void headerAndQueryToken(Deployment d) {
        String token = meToken();
        int before = d.hits();
        Answer answer = Answer.of(d.request().header("Authorization", "Bearer " + token)
                .queryParam("access_token", token).get("/api/me"));
        assertProblem(answer, 400, invalidRequest("credentials in both the Authorization header and the query"),
                "credentials in both the Authorization header and the query", token);
        assertEquals(before, d.hits());
    }

    @OnBothContainers
    void queryTokenAloneIsNotAcceptedByDefault(Deployment d) {
        String token = meToken();
        int before = d.hits();
        Answer answer = Answer.of(d.request().queryParam("access_token", token).get("/api/me"));
        String description = "access_token in the query is not accepted; use the Authorization header";
        assertProblem(answer, 400, invalidRequest(description), description, token);
        assertEquals(before, d.hits());
    }

    @OnBothContainers
    void bearerWithoutCredentials(Deployment d) {
        int before = d.hits();
        Answer answer = Answer.of(d.request().header("Authorization", "Bearer").get("/api/me"));
        assertProblem(answer, 400, invalidRequest("Bearer credentials are empty"), "Bearer credentials are empty");
        // "Bearer " with a trailing space: the container trims the value (OWS), same answer.
        answer = RawHttp.send(d.container().port(), "GET /api/me HTTP/1.1", "Authorization: Bearer ");
        assertProblem(answer, 400, invalidRequest("Bearer credentials are empty"), "Bearer credentials are empty");
        assertEquals(before, d.hits());
    }

    @OnBothContainers
    void bearerWithTwoWords(Deployment d) {
        int before = d.hits();
        Answer answer = Answer.of(d.request().header("Authorization", "Bearer a b").get("/api/me"));
        // "a b" is not a b64token: a malformed token (RFC 6750 section 3.1), refused by the verifier.
        assertProblem(answer, 401, invalidToken("token is not a compact JWS"), "token is not a compact JWS");
        assertEquals(before, d.hits());
    }

    /** RFC 6750 section 2.1: {@code "Bearer" 1*SP b64token}, so several spaces are still one token. */
    @OnBothContainers
    void severalSpacesAfterTheSchemeAreAccepted(Deployment d) {
        int before = d.hits();
        d.request().header("Authorization", "Bearer   " + meToken()).get("/api/me").then().statusCode(200);
        assertEquals(before + 1, d.hits());
    }

    @OnBothContainers
    void otherSchemeIsNoBearerToken(Deployment d) {
        int before = d.hits();
        Answer answer = Answer.of(d.request().header("Authorization", "Basic xyz").get("/api/me"));
        assertProblem(answer, 401, NO_TOKEN, "a bearer token is required", "xyz");
        assertEquals(before, d.hits());
    }

    @OnBothContainers
    void emptyAuthorizationHeader(Deployment d) {
        int before = d.hits();
        Answer answer = RawHttp.send(d.container().port(), "GET /api/me HTTP/1.1", "Authorization:");
        assertProblem(answer, 400, invalidRequest("Authorization header is malformed"),
                "Authorization header is malformed");
        assertEquals(before, d.hits());
    }

    /** The auth-scheme is case-insensitive (RFC 9110 section 11.1). */
    @OnBothContainers
    void schemeIsCaseInsensitive(Deployment d) {
        String token = meToken();
        for (String scheme : new String[] {"bearer", "BEARER", "BeArEr"}) {
            d.request().header("Authorization", scheme + " " + token).get("/api/me").then().statusCode(200);
            assertEquals("user-1", d.app().last().principal());
        }
    }

    /** The form-body method of RFC 6750 is not supported: the body is left alone for the application. */
    @OnBothContainers
    void tokenInFormBodyIsNotRead(Deployment d) {
        String token = meToken();
        int before = d.hits();
        Answer answer = Answer.of(d.request().contentType("application/x-www-form-urlencoded")
                .body("access_token=" + token).post("/api/me"));
        assertProblem(answer, 401, NO_TOKEN, "a bearer token is required", token);
        assertEquals(before, d.hits());
    }

    // ------------------------------------------------------------------ invalid tokens: 401

    static Stream<Arguments> invalidTokens() {
        Instant now = Instant.now();
        SigningKey stranger = SigningKey.generate(KeyType.EC_P384);
        String kid = issuer.currentKey().kid();
        Map<String, Object[]> cases = new LinkedHashMap<>();
        cases.put("bad signature", new Object[] {
                issuer.globalApiToken("u", ORG_API).signedWith(stranger).kid(kid).sign(),
                "token signature is invalid"});
        cases.put("expired", new Object[] {
                issuer.globalApiToken("u", ORG_API).issuedAt(now.minus(Duration.ofHours(2)))
                        .expiresAt(now.minus(Duration.ofHours(1))).sign(),
                "token has expired"});
        cases.put("wrong issuer", new Object[] {
                issuer.globalApiToken("u", ORG_API).issuer("https://evil.example.com/oidc").sign(),
                "token issuer is not trusted"});
        cases.put("wrong audience", new Object[] {
                issuer.globalApiToken("u", "https://other.example.com").sign(),
                "token is not for this audience"});
        cases.put("typ JWT (ID-token style)", new Object[] {
                issuer.globalApiToken("u", ORG_API).type("JWT").sign(),
                "token is not an access token (typ must be at+jwt)"});
        cases.put("alg none, empty signature", new Object[] {
                issuer.globalApiToken("u", ORG_API).signedWith(null, "none").sign(),
                "token has an empty segment"});
        cases.put("alg none in the header, signed", new Object[] {
                issuer.globalApiToken("u", ORG_API).algorithm("none").sign(),
                "token algorithm is not allowed"});
        cases.put("unknown kid", new Object[] {
                issuer.globalApiToken("u", ORG_API).kid("no-such-key").sign(),
                "token signing key is unknown"});
        cases.put("not a JWS", new Object[] {"abc.def", "token is not a compact JWS"});
        return running.stream().flatMap(d -> cases.entrySet().stream()
                .map(c -> Arguments.of(d, c.getKey(), c.getValue()[0], c.getValue()[1])));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("invalidTokens")
    void invalidTokenIsRefused(Deployment d, String name, String token, String description) {
        int before = d.hits();
        Answer answer = Answer.of(d.request().header("Authorization", "Bearer " + token).get("/api/me"));
        assertProblem(answer, 401, invalidToken(description), description, token);
        assertEquals(before, d.hits(), "the application was reached");
    }
}
