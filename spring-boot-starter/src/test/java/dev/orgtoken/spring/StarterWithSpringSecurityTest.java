package dev.orgtoken.spring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.orgtoken.spring.secured.SecuredApplication;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.junit.LogtoIssuerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * With Spring Security on the class path and README's chain: orgtoken decides, Spring Security
 * does not ask for a second login, and the controller still gets the token. Runs in its own
 * surefire execution: the others run without Spring Security on the class path.
 */
@SpringBootTest(classes = SecuredApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"app.management.client-id=none", "app.management.client-secret=none",
                "app.management.resource=none"})
@DirtiesContext
class StarterWithSpringSecurityTest {
    private static final String ORG_API = "https://api.example.com/org";

    @RegisterExtension
    static LogtoIssuerExtension logto = LogtoIssuerExtension.perClass();

    @LocalServerPort
    int port;

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Test
    void theTwoDoNotFight(LogtoTestIssuer issuer) {
        given().auth().oauth2(issuer.organizationResourceToken("user-1", ORG_API, "o1", "read:members").sign())
                .get(url("/api/organizations/o1/members"))
                .then().statusCode(200).body("caller", equalTo("user-1"));
        given().get(url("/api/organizations/o1/members"))
                .then().statusCode(401).header("WWW-Authenticate", equalTo("Bearer realm=\"api\""));
        given().auth().oauth2(issuer.organizationResourceToken("user-1", ORG_API, "o2", "read:members").sign())
                .get(url("/api/organizations/o1/members"))
                .then().statusCode(403).header("WWW-Authenticate", containsString("insufficient_scope"));
        given().get(url("/health")).then().statusCode(200).body("authenticated", equalTo(false));
    }
}
