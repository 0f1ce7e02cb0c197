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
}
