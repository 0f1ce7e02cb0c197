package dev.orgtoken.testkit.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orgtoken.testkit.LogtoTestIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension: one issuer per class or per method, injected, and announced in the system property. */
class LogtoIssuerExtensionTest {

    @Test
    void noIssuerOutsideItsTests() {
        assertThrows(IllegalStateException.class, () -> LogtoIssuerExtension.perClass().issuer());
        assertThrows(IllegalArgumentException.class, () -> LogtoIssuerExtension.perClass().endpointProperty(" "));
    }

    @Nested
    class PerClass {
        @RegisterExtension
        static LogtoIssuerExtension logto = LogtoIssuerExtension.perClass();
        static String endpointAtBeforeAll;

        @BeforeAll
        static void seenByBeforeAll() {
            endpointAtBeforeAll = System.getProperty("LOGTO_ENDPOINT");
        }

        @Test
        void theIssuerRunsAndIsAnnounced(LogtoTestIssuer issuer) throws Exception {
            assertSame(logto.issuer(), issuer);
            assertEquals(issuer.endpoint().toString(), System.getProperty(LogtoIssuerExtension.DEFAULT_ENDPOINT_PROPERTY));
            assertEquals(issuer.endpoint().toString(), endpointAtBeforeAll);
            HttpResponse<String> jwks = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(issuer.jwksUri()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, jwks.statusCode());
        }

        @Test
        void theSameIssuerForEveryMethod(LogtoTestIssuer issuer) {
            assertEquals(endpointAtBeforeAll, issuer.endpoint().toString());
        }
    }

    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class PerMethod {
        @RegisterExtension
        static LogtoIssuerExtension logto = LogtoIssuerExtension.perMethod().endpointProperty("MY_ISSUER");
        static final List<URI> seen = new ArrayList<>();

        @Test
        @Order(1)
        void first(LogtoTestIssuer issuer) {
            seen.add(issuer.endpoint());
            assertEquals(issuer.endpoint().toString(), System.getProperty("MY_ISSUER"));
        }

        @Test
        @Order(2)
        void second(LogtoTestIssuer issuer) {
            seen.add(issuer.endpoint());
            assertEquals(issuer.endpoint().toString(), System.getProperty("MY_ISSUER"));
            assertNotEquals(seen.get(0), seen.get(1), "a new issuer for each method");
        }

        @AfterAll
        static void propertyIsClearedAfterEachMethod() {
            assertNull(System.getProperty("MY_ISSUER"));
        }
    }
}
