package dev.orgtoken.spring;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.orgtoken.spring.app.TestApplication;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.junit.LogtoIssuerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/** The issuer is down and no keys were ever fetched: 503 with {@code Retry-After}, never a pass. */
@SpringBootTest(classes = TestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"app.management.client-id=none", "app.management.client-secret=none",
                "app.management.resource=none"})
@DirtiesContext
class StarterKeysUnavailableTest {
    @RegisterExtension
    static LogtoIssuerExtension logto = LogtoIssuerExtension.perClass();

    @LocalServerPort
    int port;

    @Test
    void keysUnavailableIs503(LogtoTestIssuer issuer) {
        String token = issuer.organizationResourceToken("user-1", "https://api.example.com/org", "o1", "read:members")
                .sign();
        issuer.respondWithStatus(503);
        given().auth().oauth2(token).get("http://127.0.0.1:" + port + "/api/organizations/o1/members")
                .then().statusCode(503)
                .header("Retry-After", equalTo("30"));
        issuer.respondNormally();
    }
}
