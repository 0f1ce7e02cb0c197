package dev.orgtoken.spring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.micrometer.OrganizationTokenMeters;
import dev.orgtoken.servlet.OrganizationTokenFilter;
import dev.orgtoken.spring.app.TestApplication;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.junit.LogtoIssuerExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.restassured.http.ContentType;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A real Spring Boot application on embedded Tomcat (random port) with nothing but the starter,
 * {@code orgtoken.yaml} and a controller, against the testkit issuer over HTTP.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"app.management.client-id=server-app", "app.management.client-secret=server-secret",
                "app.management.resource=" + LogtoTestIssuer.DEFAULT_MANAGEMENT_API_RESOURCE})
@DirtiesContext
class StarterTest {
    private static final String ORG_API = "https://api.example.com/org";
    private static final String GLOBAL_API = "https://api.example.com";

    @RegisterExtension
    static LogtoIssuerExtension logto = LogtoIssuerExtension.perClass();

    @LocalServerPort
    int port;
    @Autowired
    OrganizationTokenVerifier verifier;
    @Autowired
    MeterRegistry registry;
    @Autowired
    FilterRegistrationBean<OrganizationTokenFilter> filter;

    @BeforeAll
    static void theServersOwnManagementApp() {
        logto.issuer().registerClient("server-app", "server-secret")
                .grant(logto.issuer().managementApiResource(), "all");
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Test
    void aMemberWithTheScopeGets200AndTheControllerGetsTheToken(LogtoTestIssuer issuer) {
        String token = issuer.organizationResourceToken("user-1", ORG_API, "o1", "read:members").sign();
        given().auth().oauth2(token).get(url("/api/organizations/o1/members"))
                .then().statusCode(200)
                .body("caller", equalTo("user-1"))
                .body("scopes", hasItem("read:members"));
    }

    @Test
    void noTokenIs401WithAChallenge() {
        given().get(url("/api/organizations/o1/members"))
                .then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"api\""))
                .contentType("application/problem+json");
    }

    @Test
    void anotherOrganizationOrAMissingScopeIs403(LogtoTestIssuer issuer) {
        given().auth().oauth2(issuer.organizationResourceToken("user-1", ORG_API, "o1", "read:members").sign())
                .get(url("/api/organizations/o2/members"))
                .then().statusCode(403)
                .header("WWW-Authenticate", containsString("error=\"insufficient_scope\""));
        given().auth().oauth2(issuer.organizationResourceToken("user-1", ORG_API, "o1").sign())
                .get(url("/api/organizations/o1/members"))
                .then().statusCode(403)
                .header("WWW-Authenticate", containsString("scope=\"read:members\""));
    }

    @Test
    void publicPathsNeedNoTokenAndUnlistedMethodsAre405() {
        given().get(url("/health")).then().statusCode(200).body("authenticated", equalTo(false));
        given().delete(url("/api/organizations/o1/members")).then().statusCode(405).header("Allow", "GET, HEAD");
        given().get(url("/nothing/here")).then().statusCode(403);
    }

    @Test
    void theVerifierBeanVerifiesTokensInCode(LogtoTestIssuer issuer) {
        given().header("X-Token", issuer.globalApiToken("user-7", ORG_API).sign()).get(url("/public/token-check"))
                .then().statusCode(200).body("subject", equalTo("user-7"));
        given().header("X-Token", issuer.globalApiToken("user-7", "https://elsewhere.example.com").sign())
                .get(url("/public/token-check"))
                .then().statusCode(401).body("reason", equalTo("WRONG_AUDIENCE"));
    }

    /** Logto's pattern: the user's token and scope first, then the server's own M2M token upstream. */
    @Test
    void managementApiPattern(LogtoTestIssuer issuer) {
        String id = given().auth().oauth2(issuer.globalApiToken("user-9", GLOBAL_API, "org:create").sign())
                .contentType(ContentType.JSON).body("{\"name\":\"Acme\"}")
                .post(url("/api/organizations"))
                .then().statusCode(201).body("member", equalTo("user-9"))
                .extract().path("id");
        assertTrue(issuer.organizationUsers(id).contains("user-9"), "created through the Management API");
        assertEquals("Acme", issuer.organizations().get(id));

        int before = issuer.managementRequests();
        given().auth().oauth2(issuer.globalApiToken("user-9", GLOBAL_API).sign())
                .contentType(ContentType.JSON).body("{\"name\":\"Nope\"}")
                .post(url("/api/organizations"))
                .then().statusCode(403);
        assertEquals(before, issuer.managementRequests(), "refused before any upstream call");
    }

    @Test
    void theFilterCoversEveryDispatcherType() {
        assertEquals(EnumSet.allOf(DispatcherType.class), EnumSet.copyOf(filter.determineDispatcherTypes()));
        assertTrue(filter.getUrlPatterns().contains("/*"));
        assertEquals(OrganizationTokenProperties.DEFAULT_FILTER_ORDER, filter.getOrder());
    }

    @Test
    void metricsGoToMicrometerAndTheActuatorIsProtectedByTheRules(LogtoTestIssuer issuer) {
        String token = issuer.globalApiToken("user-1", ORG_API, "read:metrics").sign();
        given().get(url("/actuator/metrics/orgtoken.requests")).then().statusCode(401);
        given().auth().oauth2(token).get(url("/actuator/metrics/orgtoken.requests"))
                .then().statusCode(200).body("name", equalTo("orgtoken.requests"));
        assertTrue(registry.get(OrganizationTokenMeters.REQUESTS).tags("outcome", "accepted").counter().count() >= 1);
        assertTrue(registry.get(OrganizationTokenMeters.REQUESTS).tags("reason", "missing_token").counter().count() >= 1);
    }
}
