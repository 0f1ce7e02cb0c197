package dev.orgtoken.sample;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The launcher jar in dev mode (no LOGTO_ENDPOINT): the printed curl commands answer as documented. */
class SampleDevModeIT {
    private static LauncherProcess app;

    @BeforeAll
    static void start() throws Exception {
        app = LauncherProcess.start(Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
    }

    @Test
    void printsTheWalkthroughWithFreshTokens() {
        assertTrue(app.output().stream().anyMatch(l -> l.contains("DEV MODE")), String.join("\n", app.output()));
        assertTrue(app.output().stream().filter(l -> l.startsWith("curl ")).count() >= 11);
    }

    @Test
    void healthIsPublic() {
        given().baseUri(app.baseUri()).get("/health").then().statusCode(200).body("status", equalTo("ok"));
    }

    @Test
    void noTokenIs401WithABareChallenge() {
        given().baseUri(app.baseUri()).get("/api/me").then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"api\""))
                .contentType("application/problem+json");
    }

    @Test
    void memberReadsItsOwnOrganizationOnly() {
        String member = app.printedToken("MEMBER of organization o1");
        // The members come from the dev issuer's Management API, where o1 has these two.
        given().baseUri(app.baseUri()).auth().oauth2(member).get("/api/organizations/o1/members")
                .then().statusCode(200).body("organizationId", equalTo("o1")).body("requestedBy", equalTo("user-member"))
                .body("members.id", equalTo(List.of("user-admin", "user-member")))
                .body("members[0].roles", equalTo(List.of("admin", "member")))
                .body("total", equalTo(2));
        given().baseUri(app.baseUri()).auth().oauth2(member).get("/api/organizations/o2/members")
                .then().statusCode(403).header("WWW-Authenticate", containsString("error=\"insufficient_scope\""))
                .header("WWW-Authenticate", containsString("scope=\"read:members\""));
        given().baseUri(app.baseUri()).auth().oauth2(member).post("/api/organizations/o1/invitations")
                .then().statusCode(403).header("WWW-Authenticate", containsString("scope=\"invite:member\""));
    }

    @Test
    void adminInvites() {
        String admin = app.printedToken("ADMIN of o1");
        given().baseUri(app.baseUri()).auth().oauth2(admin).contentType("application/json").body("{\"email\":\"a@b.c\"}")
                .post("/api/organizations/o1/invitations")
                .then().statusCode(201).body("email", equalTo("a@b.c")).body("invitedBy", equalTo("user-admin"));
    }

    @Test
    void aTokenWithoutOrganizationIsRefusedOnOrganizationEndpoints() {
        String everywhere = app.printedToken("A token without organization_id");
        given().baseUri(app.baseUri()).auth().oauth2(everywhere).get("/api/organizations/o1/members")
                .then().statusCode(403).body("detail", equalTo("token is not for an organization"));
    }

    @Test
    void creatorCreatesAnOrganizationThroughTheManagementApi() {
        String creator = app.printedToken("CREATOR");
        given().baseUri(app.baseUri()).auth().oauth2(creator).contentType("application/json").body("{\"name\":\"Acme\"}")
                .post("/api/organizations")
                .then().statusCode(201).body("name", equalTo("Acme")).body("id", not(nullValue()))
                .body("membersAdded[0]", equalTo("user-creator"));
        given().baseUri(app.baseUri()).auth().oauth2(creator).contentType("application/json").body("{\"nom\":1}")
                .post("/api/organizations").then().statusCode(400);
    }

    @Test
    void m2mClientSeesItsPrincipal() {
        String m2m = app.printedToken("M2M client");
        given().baseUri(app.baseUri()).auth().oauth2(m2m).get("/api/me")
                .then().statusCode(200).body("kind", equalTo("m2m")).body("subject", equalTo("m2m-client"))
                .body("authType", equalTo("Bearer"));
    }

    @Test
    void impersonationShowsTheActor() {
        given().baseUri(app.baseUri()).auth().oauth2(app.printedToken("IMPERSONATION:")).get("/api/me")
                .then().statusCode(200).body("subject", equalTo("user-creator")).body("actor", equalTo("agent-7"));
        given().baseUri(app.baseUri()).auth().oauth2(app.printedToken("IMPERSONATION, creating"))
                .contentType("application/json").body("{\"name\":\"Acting\"}").post("/api/organizations")
                .then().statusCode(201).body("createdFor", equalTo("user-creator")).body("actor", equalTo("agent-7"))
                .body("membersAdded", equalTo(List.of("user-creator")));
    }

    @Test
    void unmatchedPathsAreDenied() {
        String member = app.printedToken("MEMBER of organization o1");
        given().baseUri(app.baseUri()).auth().oauth2(member).get("/admin").then().statusCode(403);
        // The path is covered by a GET-only rule: a method no rule lists is 405, never the unmatched policy.
        given().baseUri(app.baseUri()).auth().oauth2(member).delete("/api/organizations/o1/members").then()
                .statusCode(405).header("Allow", "GET, HEAD");
    }

    @Test
    void aRoleFromTheCustomClaimsDecidesBilling() {
        given().baseUri(app.baseUri()).auth().oauth2(app.printedToken("ROLES: admin of o1")).get("/api/organizations/o1/billing")
                .then().statusCode(200).body("organizationId", equalTo("o1")).body("roles", equalTo(List.of("billing-admin")));
        given().baseUri(app.baseUri()).auth().oauth2(app.printedToken("ROLES: the MEMBER")).get("/api/organizations/o1/billing")
                .then().statusCode(403).body("detail", equalTo("token lacks required roles"))
                .header("WWW-Authenticate", containsString("error=\"insufficient_scope\""));
    }

    @Test
    void impersonationCannotChangeSecuritySettings() {
        given().baseUri(app.baseUri()).auth().oauth2(app.printedToken("ACTOR DENY: user-creator")).put("/api/me/security")
                .then().statusCode(200).body("subject", equalTo("user-creator"));
        given().baseUri(app.baseUri()).auth().oauth2(app.printedToken("ACTOR DENY: the same by agent-7"))
                .put("/api/me/security").then().statusCode(403)
                .body("detail", equalTo("token acts for another subject (act); impersonation is not allowed here"));
    }

    @Test
    void theConsoleAcceptsTheConsoleClientOnly() {
        given().baseUri(app.baseUri()).auth().oauth2(app.printedToken("CLIENTS: a token of the admin console"))
                .get("/api/console/overview").then().statusCode(200).body("clientId", equalTo("admin-console"));
        given().baseUri(app.baseUri()).auth().oauth2(app.printedToken("CLIENTS: the same user's token"))
                .get("/api/console/overview").then().statusCode(403)
                .body("detail", equalTo("token was issued to a client that is not allowed here"));
    }

    @Test
    void aBrowsersPreflightPassesAndRefusalsCarryCorsHeaders() throws Exception {
        String command = app.output().stream().filter(l -> l.startsWith("curl -i -X OPTIONS")).findFirst().orElseThrow();
        assertTrue(command.contains("Access-Control-Request-Method: GET"), command);
        given().baseUri(app.baseUri()).header("Origin", "http://localhost:5173")
                .header("Access-Control-Request-Method", "GET").header("Access-Control-Request-Headers", "authorization")
                .options("/api/me").then().statusCode(200)
                .header("Access-Control-Allow-Origin", "http://localhost:5173")
                .header("Access-Control-Allow-Headers", containsString("Authorization"));
        // A plain OPTIONS is not a preflight: the rules decide (no rule lists OPTIONS on /api/me).
        given().baseUri(app.baseUri()).options("/api/me").then().statusCode(405);
        // The CORS filter is in front, so a refusal is readable by the browser app.
        given().baseUri(app.baseUri()).header("Origin", "http://localhost:5173").get("/api/me").then().statusCode(401)
                .header("Access-Control-Allow-Origin", "http://localhost:5173");
        // Every decision is on the audit logger: refusals at INFO.
        assertTrue(app.hasOutput(l -> l.contains("dev.orgtoken.audit") && l.contains("refuse 401 MISSING_TOKEN GET /api/me")),
                String.join("\n", app.output()));
    }
}
