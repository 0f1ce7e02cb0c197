package dev.orgtoken.sample;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.orgtoken.m2m.BearerRequestSender;
import dev.orgtoken.m2m.ClientCredentialsTokenSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The README's walkthrough against a <em>real</em> Logto tenant: opt-in, never part of
 * {@code verify} (its name matches neither the unit-test nor the integration-test pattern), and
 * skipped when the tenant is not configured. Run it with
 *
 * <pre>
 * LOGTO_ENDPOINT=https://acme.logto.app LOGTO_M2M_APP_ID=... LOGTO_M2M_APP_SECRET=... \
 * LOGTO_LIVE_CLIENT_ID=... LOGTO_LIVE_CLIENT_SECRET=... LOGTO_LIVE_ORGANIZATION_ID=... \
 * ./mvnw -B -pl sample-webapp -am verify -Dit.test=LiveTenantCheck -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Settings (a system property of the same name wins over the environment):
 * <ul>
 *   <li>{@code LOGTO_ENDPOINT}, {@code LOGTO_M2M_APP_ID}, {@code LOGTO_M2M_APP_SECRET} (and
 *       optionally {@code LOGTO_MANAGEMENT_API_RESOURCE}): the server's own Management API app, as
 *       for the sample. Without them every check is skipped.</li>
 *   <li>{@code LOGTO_LIVE_CLIENT_ID}, {@code LOGTO_LIVE_CLIENT_SECRET}: a second machine-to-machine
 *       app playing the caller, holding {@code org:create} on {@code ORGTOKEN_GLOBAL_API}
 *       (default {@code https://api.example.com}) and, in organization
 *       {@code LOGTO_LIVE_ORGANIZATION_ID}, {@code read:members} on {@code ORGTOKEN_ORGANIZATION_API}
 *       (default {@code https://api.example.com/org}). Without them, the rows that need a caller's
 *       token are skipped. (A check cannot sign a user in; an M2M caller exercises the same rules.)</li>
 * </ul>
 * The organization it creates is deleted again through the Management API at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveTenantCheck {
    private static LauncherProcess app;
    private static String createdOrganization;

    private static Optional<String> setting(String name) {
        String value = System.getProperty(name, System.getenv(name));
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    private static String endpoint() {
        return setting("LOGTO_ENDPOINT").orElseThrow();
    }

    private static String organizationApi() {
        return setting("ORGTOKEN_ORGANIZATION_API").orElse("https://api.example.com/org");
    }

    private static String globalApi() {
        return setting("ORGTOKEN_GLOBAL_API").orElse("https://api.example.com");
    }

    /**
     * Each check is skipped on its own (not the class), so a run without a tenant reports five
     * skipped checks rather than none, which the build would count as an error.
     */
    @BeforeEach
    void startAgainstTheTenant() throws Exception {
        assumeTrue(setting("LOGTO_ENDPOINT").isPresent() && setting("LOGTO_M2M_APP_ID").isPresent()
                && setting("LOGTO_M2M_APP_SECRET").isPresent(),
                "LOGTO_ENDPOINT, LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET are not set: no live tenant to check");
        if (app != null) {
            return;
        }
        Map<String, String> env = new HashMap<>();
        for (String name : new String[] {"LOGTO_ENDPOINT", "LOGTO_M2M_APP_ID", "LOGTO_M2M_APP_SECRET",
                "LOGTO_MANAGEMENT_API_RESOURCE", "LOGTO_ALLOW_INSECURE_HTTP", "ORGTOKEN_ORGANIZATION_API",
                "ORGTOKEN_GLOBAL_API"}) {
            setting(name).ifPresent(value -> env.put(name, value));
        }
        app = LauncherProcess.start(env);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (createdOrganization != null) {
                deleteThroughTheManagementApi(createdOrganization);
            }
        } finally {
            if (app != null) {
                app.close();
            }
        }
    }

    /** A token for the caller app, from the tenant's own token endpoint. */
    private static String callerToken(String resource, String organizationId, String... scopes) throws Exception {
        assumeTrue(setting("LOGTO_LIVE_CLIENT_ID").isPresent() && setting("LOGTO_LIVE_CLIENT_SECRET").isPresent(),
                "LOGTO_LIVE_CLIENT_ID / LOGTO_LIVE_CLIENT_SECRET are not set: no caller token");
        ClientCredentialsTokenSource.Builder caller = ClientCredentialsTokenSource.builder()
                .logtoEndpoint(endpoint())
                .clientId(setting("LOGTO_LIVE_CLIENT_ID").get())
                .clientSecret(setting("LOGTO_LIVE_CLIENT_SECRET").get())
                .resource(resource)
                .scopes(scopes)
                .allowInsecureHttp(setting("LOGTO_ALLOW_INSECURE_HTTP").map(Boolean::parseBoolean).orElse(false));
        if (organizationId != null) {
            caller.organizationId(organizationId);
        }
        return caller.build().token().value();
    }

    @Test
    @Order(1)
    void healthIsPublic() {
        given().baseUri(app.baseUri()).get("/health").then().statusCode(200);
    }

    @Test
    @Order(2)
    void noTokenIs401WithABareChallenge() {
        given().baseUri(app.baseUri()).get("/api/me").then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"api\""));
    }

    @Test
    @Order(3)
    void aMachineToMachineTokenOfTheTenantIsAccepted() throws Exception {
        String token = callerToken(organizationApi(), null);
        given().baseUri(app.baseUri()).auth().oauth2(token).get("/api/me").then().statusCode(200)
                .body("kind", equalTo("m2m"));
    }

    @Test
    @Order(4)
    void membersAreReadFromTheManagementApiForTheTokensOrganizationOnly() throws Exception {
        String organization = setting("LOGTO_LIVE_ORGANIZATION_ID").orElse(null);
        assumeTrue(organization != null, "LOGTO_LIVE_ORGANIZATION_ID is not set");
        String token = callerToken(organizationApi(), organization, "read:members");
        given().baseUri(app.baseUri()).auth().oauth2(token).get("/api/organizations/" + organization + "/members")
                .then().statusCode(200).body("organizationId", equalTo(organization)).body("total", notNullValue());
        given().baseUri(app.baseUri()).auth().oauth2(token).get("/api/organizations/another-" + organization + "/members")
                .then().statusCode(403).header("WWW-Authenticate", containsString("insufficient_scope"));
    }

    @Test
    @Order(5)
    void anOrganizationIsCreatedThroughTheManagementApi() throws Exception {
        String token = callerToken(globalApi(), null, "org:create");
        createdOrganization = given().baseUri(app.baseUri()).auth().oauth2(token).contentType("application/json")
                .body("{\"name\":\"orgtoken live check\"}").post("/api/organizations")
                .then().statusCode(201).body("name", equalTo("orgtoken live check")).extract().path("id");
    }

    /** Leaves the tenant as it was: the check's organization goes, with the server's own credentials. */
    private static void deleteThroughTheManagementApi(String id) throws Exception {
        ClientCredentialsTokenSource management = ClientCredentialsTokenSource.builder()
                .logtoEndpoint(endpoint())
                .clientId(setting("LOGTO_M2M_APP_ID").get())
                .clientSecret(setting("LOGTO_M2M_APP_SECRET").get())
                .resource(setting("LOGTO_MANAGEMENT_API_RESOURCE").orElse(ManagementApi.defaultResource(endpoint())))
                .scopes("all")
                .allowInsecureHttp(setting("LOGTO_ALLOW_INSECURE_HTTP").map(Boolean::parseBoolean).orElse(false))
                .build();
        HttpResponse<Void> deleted = new BearerRequestSender(HttpClient.newHttpClient(), management).send(
                HttpRequest.newBuilder(URI.create(endpoint().replaceAll("/+$", "") + "/api/organizations/" + id))
                        .DELETE().build(), HttpResponse.BodyHandlers.discarding());
        if (deleted.statusCode() != 204) {
            throw new IllegalStateException("could not delete the check's organization " + id + ": HTTP "
                    + deleted.statusCode());
        }
    }
}
