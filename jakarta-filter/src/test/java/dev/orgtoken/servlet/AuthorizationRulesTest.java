package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.Problems.NO_TOKEN;
import static dev.orgtoken.servlet.Problems.assertProblem;
import static dev.orgtoken.servlet.Problems.insufficientScope;
import static dev.orgtoken.servlet.Problems.invalidRequest;
import static dev.orgtoken.servlet.Problems.invalidToken;
import static dev.orgtoken.servlet.TestRules.GLOBAL_API;
import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.LogtoTestIssuer;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What a valid token may do under the rules: organization, audience and scope requirements, the
 * method lists, and the {@code unmatched: deny} policy.
 */
class AuthorizationRulesTest {
    private static final String MEMBERS_O1 = "/api/organizations/o1/members";
    /** The 403 for a request no rule matches: no challenge (it is not about credentials), no error member. */
    private static final String NO_RULE = "no rule allows this request";
    /** The 405 for a path rules cover, with a method none of them lists. */
    private static final String NO_METHOD = "no rule allows this method on this path";

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

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    // ------------------------------------------------------------------ organization members: GET only, {organizationId}

    @OnBothContainers
    void organizationResourceTokenForThatOrganizationPasses(Deployment d) {
        String token = issuer.organizationResourceToken("user-1", ORG_API, "o1", "read:members").sign();
        int before = d.hits();
        JsonPath seen = d.request().header("Authorization", bearer(token)).queryParam("roles", "read:members,write:members")
                .get(MEMBERS_O1).then().statusCode(200).extract().jsonPath();
        assertEquals(MEMBERS_O1, seen.getString("path"));
        assertEquals("user-1", seen.getString("principal"));
        assertEquals("Bearer", seen.getString("authType"));
        assertEquals("o1", seen.getString("organization"));
        assertEquals(Map.of("read:members", true, "write:members", false), seen.getMap("roles"));
        // "/**" covers the path itself and everything below it
        d.request().header("Authorization", bearer(token)).get(MEMBERS_O1 + "/m-42/roles")
                .then().statusCode(200);
        assertEquals("/api/organizations/o1/members/m-42/roles", d.app().last().path());
        // HEAD is covered by the GET rule
        d.request().header("Authorization", bearer(token)).head(MEMBERS_O1).then().statusCode(200);
        assertEquals("HEAD", d.app().last().method());
        assertEquals("user-1", d.app().last().principal());
        assertEquals(before + 3, d.hits());
    }

    @OnBothContainers
    void tokenForAnotherOrganizationIsForbidden(Deployment d) {
        String token = issuer.organizationResourceToken("user-1", ORG_API, "o2", "read:members").sign();
        int before = d.hits();
        Answer answer = Answer.of(d.request().header("Authorization", bearer(token)).get(MEMBERS_O1));
        assertProblem(answer, 403, insufficientScope("token is for another organization", "read:members"),
                "token is for another organization", token);
        answer = Answer.of(d.request().header("Authorization", bearer(token)).head(MEMBERS_O1));
        assertEquals(403, answer.status());
        assertEquals(before, d.hits());
    }

    /**
     * Logto's "scopes from all organizations" case: a token for the organization-level resource
     * requested without an organization carries read:members from every organization of the user.
     * The rule requires the organization in the path, so the token is refused.
     */
    @OnBothContainers
    void globalTokenWithTheScopeIsForbidden(Deployment d) {
        String token = issuer.globalApiToken("user-1", ORG_API, "read:members").sign();
        int before = d.hits();
        Answer answer = Answer.of(d.request().header("Authorization", bearer(token)).get(MEMBERS_O1));
        assertProblem(answer, 403, insufficientScope("token is not for an organization", "read:members"),
                "token is not for an organization", token);
        assertEquals(before, d.hits());
    }

    @OnBothContainers
    void missingScopeIsForbidden(Deployment d) {
        String token = issuer.organizationResourceToken("user-1", ORG_API, "o1", "write:members").sign();
        int before = d.hits();
        Answer answer = Answer.of(d.request().header("Authorization", bearer(token)).get(MEMBERS_O1));
        assertProblem(answer, 403, insufficientScope("token lacks required scopes", "read:members"),
                "token lacks required scopes", token);
        assertEquals(before, d.hits());
    }

    /**
     * The members rule is GET-only and no rule lists POST for its path: 405 with {@code Allow}, a
     * problem body whose detail is "no rule allows this method on this path", without a
     * {@code WWW-Authenticate} challenge and without an {@code error} member; a better token
     * would not help. (Before the outside review's finding 9 this went to the unmatched policy.)
     */
    @OnBothContainers
    void postToMembersIsAMethodNoRuleAllows(Deployment d) {
        String token = issuer.organizationResourceToken("user-1", ORG_API, "o1", "read:members").sign();
        int before = d.hits();
        Answer answer = Answer.of(d.request().header("Authorization", bearer(token)).post(MEMBERS_O1));
        assertProblem(answer, 405, null, NO_METHOD, token);
        assertEquals("GET, HEAD", answer.header("Allow"));
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Method Not Allowed\",\"status\":405,"
                + "\"detail\":\"no rule allows this method on this path\"}", answer.body());
        assertEquals(before, d.hits());
    }

    // ------------------------------------------------------------------ organization settings: audience template

    @OnBothContainers
    void organizationTokenForThatOrganizationPasses(Deployment d) {
        String token = issuer.organizationToken("u", "o1", "manage:settings").sign();
        JsonPath seen = d.request().header("Authorization", bearer(token)).queryParam("roles", "manage:settings")
                .put("/orgs/o1/settings").then().statusCode(200).extract().jsonPath();
        assertEquals("/orgs/o1/settings", seen.getString("path"));
        assertEquals("PUT", seen.getString("method"));
        assertEquals("u", seen.getString("principal"));
        assertEquals("o1", seen.getString("organization"));
        assertEquals(Map.of("manage:settings", true), seen.getMap("roles"));
    }

    /**
     * The rule's audience is {@code urn:logto:organization:{organizationId}}: o2's organization
     * token has another audience, so it is an invalid token for this path (401), not a scope problem.
     */
    @OnBothContainers
    void organizationTokenForAnotherOrganizationIsInvalidHere(Deployment d) {
        String token = issuer.organizationToken("u", "o2", "manage:settings").sign();
        int before = d.hits();
        Answer answer = Answer.of(d.request().header("Authorization", bearer(token)).get("/orgs/o1/settings"));
        assertProblem(answer, 401, invalidToken("token is not for this audience"), "token is not for this audience",
                token);
        assertEquals(before, d.hits());
    }

    @OnBothContainers
    void organizationTokenWithoutThePermissionIsForbidden(Deployment d) {
        String token = issuer.organizationToken("u", "o1").sign();
        int before = d.hits();
        Answer answer = Answer.of(d.request().header("Authorization", bearer(token)).get("/orgs/o1/settings"));
        assertProblem(answer, 403, insufficientScope("token lacks required scopes", "manage:settings"),
                "token lacks required scopes", token);
        assertEquals(before, d.hits());
    }

    // ------------------------------------------------------------------ creating organizations: POST, another audience

    @OnBothContainers
    void createOrganizationWithTheScope(Deployment d) {
        String token = issuer.globalApiToken("creator", GLOBAL_API, "org:create").sign();
        JsonPath seen = d.request().header("Authorization", bearer(token)).contentType("application/json")
                .body("{\"name\":\"acme\"}").post("/api/organizations").then().statusCode(200).extract().jsonPath();
        assertEquals("/api/organizations", seen.getString("path"));
        assertEquals("POST", seen.getString("method"));
        assertEquals("creator", seen.getString("principal"));
    }

    @OnBothContainers
    void createOrganizationWithoutTheScope(Deployment d) {
        String token = issuer.globalApiToken("creator", GLOBAL_API, "org:read").sign();
        int before = d.hits();
        Answer answer = Answer.of(d.request().header("Authorization", bearer(token)).post("/api/organizations"));
        assertProblem(answer, 403, insufficientScope("token lacks required scopes", "org:create"),
                "token lacks required scopes", token);
        // the default audience is not the rule's audience
        String orgApiToken = issuer.globalApiToken("creator", ORG_API, "org:create").sign();
        answer = Answer.of(d.request().header("Authorization", bearer(orgApiToken)).post("/api/organizations"));
        assertProblem(answer, 401, invalidToken("token is not for this audience"), "token is not for this audience",
                orgApiToken);
        // the rule is POST-only
        String token2 = issuer.globalApiToken("creator", GLOBAL_API, "org:create").sign();
        answer = Answer.of(d.request().header("Authorization", bearer(token2)).get("/api/organizations"));
        assertProblem(answer, 405, null, NO_METHOD, token2);
        assertEquals(before, d.hits());
    }

    // ------------------------------------------------------------------ unmatched: deny

    @OnBothContainers
    void unmatchedPathIsDeniedWithOrWithoutToken(Deployment d) {
        int before = d.hits();
        assertProblem(Answer.of(d.request().get("/admin")), 403, null, NO_RULE);
        String token = issuer.organizationResourceToken("user-1", ORG_API, "o1", "read:members").sign();
        assertProblem(Answer.of(d.request().header("Authorization", bearer(token)).get("/admin")), 403, null,
                NO_RULE, token);
        assertProblem(Answer.of(d.request().get("/")), 403, null, NO_RULE);
        assertEquals(before, d.hits());
    }

    /**
     * Methods are case-sensitive (RFC 9110). Both containers hand "get" to the application as is.
     * On a GET-only rule it matches nothing (405); on /api/me, a rule without a method list (every
     * method), it is refused without a token. With a token that satisfies /api/me the filter lets
     * it through: the rule covers every method, so the request gets nothing the token did not
     * already allow, and the application sees method "get" (a plain HttpServlet answers 501).
     */
    @OnBothContainers
    void lowerCaseMethod(Deployment d) {
        int port = d.container().port();
        String token = issuer.organizationResourceToken("user-1", ORG_API, "o1", "read:members").sign();
        int before = d.hits();
        Answer answer = RawHttp.send(port, "get /api/me HTTP/1.1");
        assertProblem(answer, 401, NO_TOKEN, "a bearer token is required");
        answer = RawHttp.send(port, "get " + MEMBERS_O1 + " HTTP/1.1", "Authorization: Bearer " + token);
        assertProblem(answer, 405, null, NO_METHOD, token);
        assertEquals(before, d.hits());

        answer = RawHttp.send(port, "get /api/me HTTP/1.1", "Authorization: Bearer " + token);
        assertEquals(200, answer.status(), answer::toString);
        assertEquals(before + 1, d.hits());
        assertEquals("get", d.app().last().method());
        assertEquals("user-1", d.app().last().principal());
        assertTrue(d.app().last().verifiedToken());
    }

    // ------------------------------------------------------------------ a blank organization in the path

    /**
     * {@code %20} (or another whitespace-only segment) is not ambiguous, so it reaches the rules; a
     * rule that makes it the organization can be satisfied by no token.
     * Found in review: it used to escape as an exception (a 500 with the container's error page).
     */
    @OnBothContainers
    void blankOrganizationInThePathIsABadRequestNotAServerError(Deployment d) {
        String token = issuer.organizationResourceToken("user-1", ORG_API, "o1", "read:members").sign();
        String description = "request path names a blank organization or audience";
        int before = d.hits();
        for (String target : new String[] {"/api/organizations/%20/members", "/api/organizations/%E2%80%83/members/x"}) {
            Answer withToken = RawHttp.send(d.container().port(), "GET " + target + " HTTP/1.1",
                    "Authorization: Bearer " + token);
            assertProblem(withToken, 400, invalidRequest(description), description, token);
            Answer without = RawHttp.send(d.container().port(), "GET " + target + " HTTP/1.1");
            assertProblem(without, 400, invalidRequest(description), description);
        }
        // In an audience template the blank value is part of a longer string
        // ("urn:logto:organization: "), which no token carries: refused as any other audience.
        Answer audience = RawHttp.send(d.container().port(), "GET /orgs/%20/settings HTTP/1.1",
                "Authorization: Bearer " + token);
        assertProblem(audience, 401, invalidToken("token is not for this audience"), "token is not for this audience",
                token);
        assertEquals(before, d.hits());
    }
}
