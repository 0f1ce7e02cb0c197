package dev.orgtoken.testkit;

import static dev.orgtoken.testkit.TestSupport.get;
import static dev.orgtoken.testkit.TestSupport.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.lang.HashUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JwksEndpointTest {

    private LogtoTestIssuer issuer;

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.start();
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    @Test
    void addressesFollowLogtosLayout() {
        String endpoint = issuer.endpoint().toString();
        assertTrue(endpoint.matches("http://127\\.0\\.0\\.1:\\d+"), endpoint);
        assertEquals(endpoint + "/oidc", issuer.issuer());
        assertEquals(endpoint + "/oidc/jwks", issuer.jwksUri().toString());
        assertEquals(endpoint + "/oidc/token", issuer.tokenEndpoint().toString());
        assertEquals(endpoint + "/oidc/.well-known/openid-configuration", issuer.discoveryUri().toString());
    }

    @Test
    void servesJsonWithCacheControlAndStrongKoaStyleEtag() throws Exception {
        HttpResponse<String> r = get(issuer.jwksUri());
        assertEquals(200, r.statusCode());
        // as Logto 1.37.1 sends it (fixtures/logto-1.37.1-live/jwks-initial.headers.txt)
        assertEquals(Optional.of("application/jwk-set+json; charset=utf-8"), r.headers().firstValue("Content-Type"));
        assertEquals(Optional.of("no-cache, max-age=0, must-revalidate"), r.headers().firstValue("Cache-Control"));
        String etag = r.headers().firstValue("ETag").orElseThrow();
        assertFalse(etag.startsWith("W/"), "strong ETag");
        // The etag npm package: "<length hex>-<first 27 chars of base64(sha1(body))>"
        byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
        String sha1 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(body));
        assertEquals("\"" + Integer.toHexString(body.length) + "-" + sha1.substring(0, 27) + "\"", etag);
        assertEquals(1, issuer.jwksRequests());
    }

    @Test
    void ifNoneMatchAnswers304WithoutBody() {
        String etag = get(issuer.jwksUri()).headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> r = get(issuer.jwksUri(), "If-None-Match", etag);
        assertEquals(304, r.statusCode());
        assertEquals("", r.body());
        assertEquals(Optional.of(etag), r.headers().firstValue("ETag"));
        assertEquals(Optional.of(LogtoTestIssuer.DEFAULT_JWKS_CACHE_CONTROL), r.headers().firstValue("Cache-Control"));

        assertEquals(304, get(issuer.jwksUri(), "If-None-Match", "\"other\", W/" + etag).statusCode());
        assertEquals(304, get(issuer.jwksUri(), "If-None-Match", "*").statusCode());
        assertEquals(200, get(issuer.jwksUri(), "If-None-Match", "\"other\"").statusCode());
        // Koa's fresh(): a request saying Cache-Control: no-cache always gets the full body
        assertEquals(200, get(issuer.jwksUri(), "If-None-Match", etag, "Cache-Control", "no-cache").statusCode());

        assertEquals(6, issuer.jwksRequests());
        assertEquals(3, issuer.jwksNotModified());
        issuer.resetCounters();
        assertEquals(0, issuer.jwksRequests());
        assertEquals(0, issuer.jwksNotModified());
    }

    @Test
    void cacheControlCanBeDroppedOrChanged() {
        try (LogtoTestIssuer bare = LogtoTestIssuer.builder().jwksCacheControl(null).build()) {
            HttpResponse<String> r = get(bare.jwksUri());
            assertEquals(200, r.statusCode());
            assertEquals(Optional.empty(), r.headers().firstValue("Cache-Control"));
            assertTrue(r.headers().firstValue("ETag").isPresent());
            bare.setJwksCacheControl("public, max-age=300");
            assertEquals(Optional.of("public, max-age=300"), get(bare.jwksUri()).headers().firstValue("Cache-Control"));
        }
        try (LogtoTestIssuer custom = LogtoTestIssuer.builder().jwksCacheControl("max-age=60").build()) {
            assertEquals(Optional.of("max-age=60"), get(custom.jwksUri()).headers().firstValue("Cache-Control"));
        }
    }

    @Test
    void headIsAnsweredAndOtherMethodsAreRefused() {
        HttpResponse<String> head = TestSupport.send(HttpRequest.newBuilder(issuer.jwksUri())
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        HttpResponse<String> post = TestSupport.send(HttpRequest.newBuilder(issuer.jwksUri())
                .POST(HttpRequest.BodyPublishers.ofString("x")).build());
        assertEquals(405, post.statusCode());
        assertEquals(2, issuer.jwksRequests());
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void publishedJwkHasThumbprintKidAndLogtosMembers(KeyType type) throws Exception {
        try (LogtoTestIssuer typed = LogtoTestIssuer.builder().keyType(type).build()) {
            Map<String, Object> set = json(get(typed.jwksUri()).body());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> keys = (List<Map<String, Object>>) set.get("keys");
            assertEquals(1, keys.size());
            Map<String, Object> jwk = keys.get(0);
            assertEquals("sig", jwk.get("use"));
            String kid = (String) jwk.get("kid");
            assertEquals(typed.currentKey().kid(), kid);
            // kid is the RFC 7638 SHA-256 thumbprint of the published key
            JsonWebKey parsed = JsonWebKey.Factory.newJwk(jwk);
            assertEquals(kid, parsed.calculateBase64urlEncodedThumbprint(HashUtil.SHA_256));
            assertEquals(43, kid.length());
            if (type.isEc()) {
                assertEquals(List.of("kty", "use", "kid", "alg", "crv", "x", "y"), List.copyOf(jwk.keySet()));
                assertEquals("EC", jwk.get("kty"));
                assertEquals(type.algorithm(), jwk.get("alg"));
                assertEquals(type.curve(), jwk.get("crv"));
            } else {
                assertEquals(List.of("kty", "use", "kid", "e", "n"), List.copyOf(jwk.keySet()));
                assertEquals("RSA", jwk.get("kty"));
                assertFalse(jwk.containsKey("alg"), "Logto publishes RSA keys without alg");
                int modulusBits = Base64.getUrlDecoder().decode((String) jwk.get("n")).length * 8;
                assertEquals(type.bits(), modulusBits);
            }
            assertFalse(jwk.containsKey("d"), "no private members");
            assertEquals(json(typed.currentKey().publicJwk()), jwk);
        }
    }

    @Test
    void publicJwkMatchesFixtureShapeOfRealLogto() {
        Map<String, Object> before = TestSupport.fixture("jwks/before-rotation.json");
        @SuppressWarnings("unchecked")
        Map<String, Object> real = ((List<Map<String, Object>>) before.get("keys")).get(0);
        Map<String, Object> ours = json(issuer.currentKey().publicJwk());
        assertEquals(List.copyOf(real.keySet()), List.copyOf(ours.keySet()));
        assertEquals(real.get("alg"), ours.get("alg"));
        assertEquals(real.get("crv"), ours.get("crv"));
        assertNotEquals(real.get("kid"), ours.get("kid"));
    }
}
