package dev.orgtoken.sample;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.ClientRegistration;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher jar given a tenant through LOGTO_ENDPOINT (a testkit issuer stands in for Logto),
 * with the server's M2M credentials, as a real deployment would run.
 */
class SampleAgainstTenantIT {
    private static LogtoTestIssuer tenant;
    private static ClientRegistration serverApp;
    private static LauncherProcess app;

    @BeforeAll
    static void start() throws Exception {
        tenant = LogtoTestIssuer.start();
        serverApp = tenant.registerClient("server-app", "server-secret").grant(tenant.managementApiResource(), "all");
        app = LauncherProcess.start(Map.of(
                "LOGTO_ENDPOINT", tenant.endpoint().toString(),
                "LOGTO_M2M_APP_ID", serverApp.clientId(),
                "LOGTO_M2M_APP_SECRET", serverApp.clientSecret()));
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
        tenant.close();
    }

    @Test
    void noDevModeWhenATenantIsConfigured() {
        assertFalse(app.output().stream().anyMatch(l -> l.contains("DEV MODE")));
    }

    @Test
    void tenantTokensAreVerified() {
        String token = tenant.organizationResourceToken("user-7", "https://api.example.com/org", "org-7", "read:members").sign();
        given().baseUri(app.baseUri()).auth().oauth2(token).get("/api/organizations/org-7/members").then().statusCode(200);
        given().baseUri(app.baseUri()).auth().oauth2(token).get("/api/organizations/org-8/members").then().statusCode(403);
        String foreign;
        try (LogtoTestIssuer other = LogtoTestIssuer.start()) {
            foreign = other.organizationResourceToken("user-7", "https://api.example.com/org", "org-7", "read:members").sign();
        }
        given().baseUri(app.baseUri()).auth().oauth2(foreign).get("/api/organizations/org-7/members")
                .then().statusCode(401).header("WWW-Authenticate", containsString("error=\"invalid_token\""));
    }

    @Test
    void organizationCreationUsesTheServersOwnCredentials() {
        int before = tenant.tokenRequests();
        String creator = tenant.globalApiToken("user-9", "https://api.example.com", "org:create").sign();
        String id = given().baseUri(app.baseUri()).auth().oauth2(creator).contentType("application/json")
                .body("{\"name\":\"Tenant Org\"}").post("/api/organizations")
                .then().statusCode(201).body("name", equalTo("Tenant Org")).extract().path("id");
        assertEquals("Tenant Org", tenant.organizations().get(id));
        assertTrue(tenant.organizationUsers(id).contains("user-9"));
        assertTrue(tenant.tokenRequests() > before, "the server fetched its own client-credentials token");
    }

    @Test
    void aFailingManagementApiIsA502WithLogtosMessage() throws Exception {
        // A second launcher whose M2M secret is wrong: Logto refuses its token request.
        Map<String, String> env = Map.of("LOGTO_ENDPOINT", tenant.endpoint().toString(),
                "LOGTO_M2M_APP_ID", serverApp.clientId(), "LOGTO_M2M_APP_SECRET", "wrong-secret");
        try (LauncherProcess wrong = LauncherProcess.start(env)) {
            String creator = tenant.globalApiToken("user-9", "https://api.example.com", "org:create").sign();
            given().baseUri(wrong.baseUri()).auth().oauth2(creator).contentType("application/json")
                    .body("{\"name\":\"X\"}").post("/api/organizations")
                    .then().statusCode(502).contentType("application/problem+json")
                    .body("detail", containsString("client authentication failed"));
        }
    }

    @Test
    void rulesFileCanBeReplaced(@TempDir Path dir) throws Exception {
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, """
                logto:
                  endpoint: ${LOGTO_ENDPOINT}
                audience: https://api.example.com/org
                unmatched: deny
                rules:
                  - path: /health
                    scopes: [ops:read]
                """);
        try (LauncherProcess custom = LauncherProcess.start(Map.of("LOGTO_ENDPOINT", tenant.endpoint().toString()),
                "--rules", rules.toString())) {
            given().baseUri(custom.baseUri()).get("/health").then().statusCode(401);
            String ops = tenant.globalApiToken("ops", "https://api.example.com/org", "ops:read").sign();
            given().baseUri(custom.baseUri()).auth().oauth2(ops).get("/health").then().statusCode(200);
        }
    }
}
