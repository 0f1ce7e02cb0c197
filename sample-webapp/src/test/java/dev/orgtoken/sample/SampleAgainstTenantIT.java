package dev.orgtoken.sample;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.ClientRegistration;
import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        // org-7 is not in the tenant: Logto lists no members for it, and the sample says so.
        given().baseUri(app.baseUri()).auth().oauth2(token).get("/api/organizations/org-7/members").then().statusCode(200)
                .body("members", equalTo(List.of())).body("total", equalTo(0));
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
        int before = tenant.managementRequests();
        String creator = tenant.globalApiToken("user-9", "https://api.example.com", "org:create").sign();
        String id = given().baseUri(app.baseUri()).auth().oauth2(creator).contentType("application/json")
                .body("{\"name\":\"Tenant Org\"}").post("/api/organizations")
                .then().statusCode(201).body("name", equalTo("Tenant Org")).extract().path("id");
        assertEquals("Tenant Org", tenant.organizations().get(id));
        assertTrue(tenant.organizationUsers(id).contains("user-9"));
        // The create and add-member calls reached the Management API, with the server's own token (the
        // stand-in accepts nothing else): fetched once and then cached, so maybe by an earlier test.
        assertEquals(before + 2, tenant.managementRequests());
        assertTrue(tenant.tokenRequests() >= 1, "the server fetched its own client-credentials token");
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

    // Issue 13 ----------------------------------------------------------------------------------------

    /**
     * Finding 1: Logto withdraws the key that signed the server's cached Management API token; the
     * next organization creation still succeeds on its first try (the server retries once with a
     * fresh token). Its own tenant and app, so the key changes touch no other test: the next key is
     * published before the app first fetches the key set, so user tokens signed with it verify
     * without waiting for a refresh.
     */
    @Test
    void aWithdrawnSigningKeyDoesNotFailTheNextCall() throws Exception {
        try (LogtoTestIssuer rotating = LogtoTestIssuer.start()) {
            ClientRegistration server = rotating.registerClient("rotating-server", "rotating-secret")
                    .grant(rotating.managementApiResource(), "all");
            rotating.stageNextKey(KeyType.EC_P384);
            try (LauncherProcess own = LauncherProcess.start(Map.of("LOGTO_ENDPOINT", rotating.endpoint().toString(),
                    "LOGTO_M2M_APP_ID", server.clientId(), "LOGTO_M2M_APP_SECRET", server.clientSecret()))) {
                String first = rotating.globalApiToken("user-1", "https://api.example.com", "org:create").sign();
                given().baseUri(own.baseUri()).auth().oauth2(first).contentType("application/json")
                        .body("{\"name\":\"Before\"}").post("/api/organizations").then().statusCode(201);

                String signedTheCachedToken = rotating.currentKey().kid();
                rotating.promoteNextKey();
                rotating.removeKey(signedTheCachedToken);
                rotating.resetCounters();

                String second = rotating.globalApiToken("user-1", "https://api.example.com", "org:create").sign();
                given().baseUri(own.baseUri()).auth().oauth2(second).contentType("application/json")
                        .body("{\"name\":\"After\"}").post("/api/organizations").then().statusCode(201)
                        .body("name", equalTo("After")).body("membersAdded", equalTo(List.of("user-1")));
                assertEquals(1, rotating.tokenRequests(), "one fresh M2M token");
                assertEquals(3, rotating.managementRequests(), "create refused with 401, create, add user");
                assertTrue(rotating.organizations().containsValue("After"));
            }
        }
    }

    /**
     * Finding 2: adding the creator fails after the organization was created. The server deletes it
     * again and answers 502: nothing is left behind, and a retry is safe.
     */
    @Test
    void aFailedMemberAdditionDeletesTheNewOrganization() throws Exception {
        tenant.failManagementRequests("POST", "/api/organizations/*/users", 1, 500);
        String creator = tenant.globalApiToken("user-21", "https://api.example.com", "org:create").sign();
        given().baseUri(app.baseUri()).auth().oauth2(creator).contentType("application/json")
                .body("{\"name\":\"Half Made\"}").post("/api/organizations")
                .then().statusCode(502).contentType("application/problem+json")
                .body("detail", containsString("Internal server error."))
                .body("detail", containsString("the organization was deleted again, nothing was created"))
                .body("organizationId", nullValue());
        assertFalse(tenant.organizations().containsValue("Half Made"), "no orphan left in Logto");
        assertTrue(app.hasOutput(l -> l.contains("deleted again") && l.contains("user-21")));

        // Retrying works.
        given().baseUri(app.baseUri()).auth().oauth2(creator).contentType("application/json")
                .body("{\"name\":\"Half Made\"}").post("/api/organizations").then().statusCode(201);
    }

    /** Finding 2, worse case: the deletion fails too. The answer names the organization left behind. */
    @Test
    void anOrganizationThatCannotBeDeletedIsNamedInTheAnswer() throws Exception {
        tenant.failManagementRequests("POST", "/api/organizations/*/users", 1, 500);
        tenant.failManagementRequests("DELETE", "/api/organizations/*", 1, 503);
        String creator = tenant.globalApiToken("user-22", "https://api.example.com", "org:create").sign();
        String id = given().baseUri(app.baseUri()).auth().oauth2(creator).contentType("application/json")
                .body("{\"name\":\"Orphan\"}").post("/api/organizations")
                .then().statusCode(502).contentType("application/problem+json")
                .body("detail", containsString("could not be deleted again and has no members"))
                .extract().path("organizationId");
        assertEquals("Orphan", tenant.organizations().get(id));
        assertEquals(Set.of(), tenant.organizationUsers(id));
        assertTrue(app.hasOutput(l -> l.contains(id) && l.contains("exists without members")));
    }

    /** Finding 3: the members are Logto's, read through the Management API, for this organization. */
    @Test
    void membersComeFromTheManagementApi() {
        tenant.createOrganizationWithId("org-members", "Members");
        tenant.addOrganizationUser("org-members", "alice", "admin");
        tenant.addOrganizationUser("org-members", "bob", "member");
        String reader = tenant.organizationResourceToken("alice", "https://api.example.com/org", "org-members",
                "read:members").sign();
        given().baseUri(app.baseUri()).auth().oauth2(reader).get("/api/organizations/org-members/members")
                .then().statusCode(200).body("organizationId", equalTo("org-members"))
                .body("members.id", equalTo(List.of("alice", "bob")))
                .body("members.roles", equalTo(List.of(List.of("admin"), List.of("member"))))
                .body("total", equalTo(2)).body("requestedBy", equalTo("alice"));

        // Someone else joins in Logto: the next read shows them.
        tenant.addOrganizationUser("org-members", "carol");
        given().baseUri(app.baseUri()).auth().oauth2(reader).get("/api/organizations/org-members/members")
                .then().statusCode(200).body("members.id", equalTo(List.of("alice", "bob", "carol")));
    }

    /** Finding 4: an impersonation (token exchange) token shows its actor, and creation names it. */
    @Test
    void theActorOfAnImpersonationTokenIsShownAndLogged() throws Exception {
        String me = tenant.globalApiToken("customer-5", "https://api.example.com/org").actor("agent-9").sign();
        given().baseUri(app.baseUri()).auth().oauth2(me).get("/api/me").then().statusCode(200)
                .body("subject", equalTo("customer-5")).body("actor", equalTo("agent-9")).body("kind", equalTo("user"));
        String plain = tenant.globalApiToken("customer-5", "https://api.example.com/org").sign();
        given().baseUri(app.baseUri()).auth().oauth2(plain).get("/api/me").then().statusCode(200)
                .body("actor", nullValue());

        String creator = tenant.globalApiToken("customer-5", "https://api.example.com", "org:create")
                .actor("agent-9").sign();
        String id = given().baseUri(app.baseUri()).auth().oauth2(creator).contentType("application/json")
                .body("{\"name\":\"Acted\"}").post("/api/organizations")
                .then().statusCode(201).body("createdFor", equalTo("customer-5")).body("actor", equalTo("agent-9"))
                .body("membersAdded", equalTo(List.of("customer-5"))).extract().path("id");
        assertEquals(Set.of("customer-5"), tenant.organizationUsers(id), "the member is the subject, not the actor");
        assertTrue(app.hasOutput(l -> l.contains("organization " + id + " created for customer-5 (actor agent-9)")),
                () -> String.join("\n", app.output()));
    }

    /** Security finding 8: the sample refuses to send its M2M secret over plain http to another host. */
    @Test
    void aPlainHttpTenantOnAnotherHostNeedsTheOptIn() throws Exception {
        Map<String, String> env = Map.of("LOGTO_ENDPOINT", "http://tenant.example.invalid:3001",
                "LOGTO_M2M_APP_ID", "server-app", "LOGTO_M2M_APP_SECRET", "server-secret-7f3a");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> LauncherProcess.start(env));
        assertTrue(refused.getMessage().contains("LOGTO_ALLOW_INSECURE_HTTP=true"), refused.getMessage());
        assertFalse(refused.getMessage().contains("server-secret-7f3a"), refused.getMessage());

        Map<String, String> optedIn = new java.util.HashMap<>(env);
        optedIn.put("LOGTO_ALLOW_INSECURE_HTTP", "true");
        try (LauncherProcess insecure = LauncherProcess.start(optedIn)) {
            List<String> warnings = insecure.output().stream()
                    .filter(l -> l.contains("WARN") && l.contains("token endpoint") && l.contains("plain http")).toList();
            assertEquals(1, warnings.size(), String.join("\n", insecure.output()));
            assertFalse(insecure.output().stream().anyMatch(l -> l.contains("server-secret-7f3a")));
            given().baseUri(insecure.baseUri()).get("/health").then().statusCode(200);
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
