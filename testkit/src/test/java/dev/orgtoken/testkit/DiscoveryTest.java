package dev.orgtoken.testkit;

import static dev.orgtoken.testkit.TestSupport.get;
import static dev.orgtoken.testkit.TestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class DiscoveryTest {

    @Test
    void documentIsLogtosWithThisIssuersUrls() {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
            HttpResponse<String> r = get(issuer.discoveryUri());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
            Map<String, Object> doc = json(r.body());
            Map<String, Object> real = TestSupport.fixture("openid-configuration.json");

            assertEquals(issuer.issuer(), doc.get("issuer"));
            assertEquals(issuer.jwksUri().toString(), doc.get("jwks_uri"));
            assertEquals(issuer.tokenEndpoint().toString(), doc.get("token_endpoint"));
            assertEquals(issuer.issuer() + "/auth", doc.get("authorization_endpoint"));
            assertEquals(issuer.issuer() + "/token/introspection", doc.get("introspection_endpoint"));
            assertEquals(real.keySet(), doc.keySet());
            assertEquals(real.get("grant_types_supported"), doc.get("grant_types_supported"));
            assertEquals(real.get("claims_supported"), doc.get("claims_supported"));
            assertEquals(List.of("ES384"), doc.get("id_token_signing_alg_values_supported"));
            assertFalse(r.body().contains("127.0.0.1:3001"));
            assertEquals(1, issuer.discoveryRequests());
            assertEquals(0, issuer.jwksRequests());

            issuer.rotateNow(KeyType.RSA_2048);
            assertEquals(List.of("RS256"), json(get(issuer.discoveryUri()).body()).get("id_token_signing_alg_values_supported"));
        }
    }

    @Test
    void unknownPathsAre404() {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
            assertEquals(404, get(issuer.endpoint().resolve("/oidc/jwks/extra")).statusCode());
            assertEquals(404, get(issuer.endpoint().resolve("/.well-known/openid-configuration")).statusCode());
            assertEquals(0, issuer.jwksRequests());
        }
    }
}
