package dev.orgtoken.testkit;

import static dev.orgtoken.testkit.TestSupport.header;
import static dev.orgtoken.testkit.TestSupport.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TokenMintingTest {

    private static final String GLOBAL = "https://api.example.com/global";
    private static final String ORG_API = "https://api.example.com/org";
    private static final Instant MINTED = Instant.ofEpochSecond(1795284153L);

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void everyTokenShapeVerifiesAgainstThePublishedJwks(KeyType type) throws Exception {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.builder().keyType(type).build()) {
            String alg = type.algorithm();
            String kid = issuer.currentKey().kid();

            String global = issuer.globalApiToken("user-1", GLOBAL, "read:products").sign();
            assertEquals(List.of("alg", "typ", "kid"), List.copyOf(header(global).keySet()));
            assertEquals(Map.of("alg", alg, "typ", "at+jwt", "kid", kid), header(global));
            JwtClaims g = TestSupport.verify(issuer, global, GLOBAL, alg);
            assertEquals(List.of("jti", "sub", "iat", "exp", "scope", "client_id", "iss", "aud"),
                    List.copyOf(payload(global).keySet()));
            assertEquals("user-1", g.getSubject());
            assertEquals("read:products", g.getStringClaimValue("scope"));
            assertEquals(LogtoTestIssuer.DEFAULT_CLIENT_ID, g.getStringClaimValue("client_id"));
            assertEquals(GLOBAL, payload(global).get("aud"), "aud is a plain string");
            assertEquals(3600, g.getExpirationTime().getValue() - g.getIssuedAt().getValue());
            assertFalse(g.hasClaim("nbf"));
            assertFalse(g.hasClaim("organization_id"));
            assertEquals(21, g.getJwtId().length());

            String org = issuer.organizationToken("user-1", "org1", "read:members", "invite:member").sign();
            JwtClaims o = TestSupport.verify(issuer, org, "urn:logto:organization:org1", alg);
            assertEquals("read:members invite:member", o.getStringClaimValue("scope"));
            assertFalse(o.hasClaim("organization_id"), "organization tokens carry the org in aud only");

            String orgApi = issuer.organizationResourceToken("user-1", ORG_API, "org1", "read:members").sign();
            assertEquals(List.of("organization_id", "jti", "sub", "iat", "exp", "scope", "client_id", "iss", "aud"),
                    List.copyOf(payload(orgApi).keySet()));
            JwtClaims oa = TestSupport.verify(issuer, orgApi, ORG_API, alg);
            assertEquals("org1", oa.getStringClaimValue("organization_id"));

            String m2m = issuer.m2mToken("svc-1", GLOBAL, "read:products").sign();
            JwtClaims m = TestSupport.verify(issuer, m2m, GLOBAL, alg);
            assertEquals("svc-1", m.getSubject());
            assertEquals("svc-1", m.getStringClaimValue("client_id"));
        }
    }

    @Test
    void scopeIsAbsentOrEmptyAsLogtoMintsIt() {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
            assertFalse(payload(issuer.globalApiToken("u", GLOBAL).sign()).containsKey("scope"));
            assertFalse(payload(issuer.organizationResourceToken("u", ORG_API, "o").sign()).containsKey("scope"));
            assertEquals("", payload(issuer.organizationToken("u", "o").sign()).get("scope"));
            assertFalse(payload(issuer.m2mToken("c", GLOBAL).sign()).containsKey("scope"));
            assertEquals("", payload(issuer.m2mToken("c", "urn:logto:organization:o").sign()).get("scope"));
            assertEquals("all", payload(issuer.managementApiToken("c").sign()).get("scope"));
            assertEquals(LogtoTestIssuer.DEFAULT_MANAGEMENT_API_RESOURCE,
                    payload(issuer.managementApiToken("c").sign()).get("aud"));
        }
    }

    @Test
    void blankTokenHasOnlyIssuerTimesAndId() {
        Clock pinned = Clock.fixed(MINTED, ZoneOffset.UTC);
        try (LogtoTestIssuer issuer = LogtoTestIssuer.builder().clock(pinned).build()) {
            Map<String, Object> p = payload(issuer.token().sign());
            assertEquals(List.of("jti", "iat", "exp", "iss"), List.copyOf(p.keySet()));
            assertEquals(MINTED.getEpochSecond(), ((Number) p.get("iat")).longValue());
            assertEquals(MINTED.getEpochSecond() + 3600, ((Number) p.get("exp")).longValue());
            assertEquals(issuer.issuer(), p.get("iss"));
        }
    }

    @Test
    void timesFollowIssuedAtUnlessExpirySetExplicitly() {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.builder().accessTokenTtl(Duration.ofMinutes(5)).build()) {
            TokenBuilder t = issuer.token().issuedAt(MINTED);
            assertEquals(MINTED.getEpochSecond() + 300, t.claimValue("exp"));
            t.expiresIn(Duration.ofSeconds(-10));
            assertEquals(MINTED.getEpochSecond() - 10, t.claimValue("exp"));
            t.issuedAt(MINTED.plusSeconds(100));
            assertEquals(MINTED.getEpochSecond() + 90, t.claimValue("exp"));
            t.expiresAt(MINTED.plusSeconds(7));
            t.issuedAt(MINTED.plusSeconds(1000));
            assertEquals(MINTED.getEpochSecond() + 7, t.claimValue("exp"));
            t.notBefore(MINTED.plusSeconds(50));
            assertEquals(MINTED.getEpochSecond() + 50, payload(t.sign()).get("nbf"));
            t.removeClaim("exp");
            t.issuedAt(MINTED);
            assertFalse(payload(t.sign()).containsKey("exp"));
        }
    }

    @Test
    void expiredTokensAreRejectedByARealVerifier() {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
            String expired = issuer.globalApiToken("u", GLOBAL).issuedAt(Instant.now().minus(Duration.ofHours(2))).sign();
            InvalidJwtException e = assertThrows(InvalidJwtException.class,
                    () -> TestSupport.consumer(issuer, GLOBAL, "ES384").processToClaims(expired));
            assertTrue(e.hasExpired());
        }
    }

    @Test
    void claimsAcceptAnyJsonValue() {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
            Map<String, Object> nested = new LinkedHashMap<>();
            nested.put("a", 1);
            nested.put("b", Arrays.asList("x", null));
            String jwt = issuer.token()
                    .subject("s")
                    .audiences(GLOBAL)
                    .claim("list", List.of("a", "b"))
                    .claim("map", nested)
                    .claim("nothing", null)
                    .claim("n", 12.5)
                    .claim("big", Long.MAX_VALUE)
                    .claim("flag", true)
                    .claim("text", "quote\" backslash\\ newline\n")
                    .claim("when", MINTED)
                    .scope("read:a  read:b")
                    .claim("gone", "x").removeClaim("gone")
                    .sign();
            Map<String, Object> p = payload(jwt);
            assertEquals(List.of(GLOBAL), p.get("aud"));
            assertEquals(List.of("a", "b"), p.get("list"));
            assertEquals(Map.of("a", 1L, "b", Arrays.asList("x", null)), p.get("map"));
            assertTrue(p.containsKey("nothing"));
            assertNull(p.get("nothing"));
            assertEquals(12.5, p.get("n"));
            assertEquals(Long.MAX_VALUE, p.get("big"));
            assertEquals(true, p.get("flag"));
            assertEquals("quote\" backslash\\ newline\n", p.get("text"));
            assertEquals(MINTED.getEpochSecond(), p.get("when"));
            assertEquals("read:a  read:b", p.get("scope"));
            assertFalse(p.containsKey("gone"));
            TestSupport.verify(issuer, jwt, GLOBAL, "ES384");

            assertThrows(IllegalArgumentException.class, () -> issuer.token().claim("bad", new Object()));
            assertThrows(IllegalArgumentException.class, () -> issuer.token().claim("nan", Double.NaN));
        }
    }

    @Test
    void headerCanBeRewritten() {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
            TokenBuilder t = issuer.globalApiToken("u", GLOBAL)
                    .type("JWT").kid("other-kid").header("jku", "http://evil.example.com/jwks").header("crit", List.of("x"));
            assertEquals("{\"alg\":\"ES384\",\"typ\":\"JWT\",\"kid\":\"other-kid\",\"jku\":\"http://evil.example.com/jwks\","
                    + "\"crit\":[\"x\"]}", t.headerJson());
            t.type(null).kid(null).removeHeader("jku").removeHeader("crit");
            assertEquals("{\"alg\":\"ES384\"}", t.headerJson());
            t.algorithm("RS256");
            assertEquals("RS256", header(t.sign()).get("alg"));
            t.removeHeader("alg");
            assertFalse(header(t.sign()).containsKey("alg"));
        }
    }

    @Test
    void attackTokensCanBeSignedWithArbitraryKeys() throws Exception {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.builder().keyType(KeyType.RSA_2048).build()) {
            byte[] publicKeyBytes = issuer.currentKey().publicKey().getEncoded();
            String confused = issuer.globalApiToken("u", GLOBAL).signedWith(new HmacKey(publicKeyBytes), "HS256").sign();
            assertEquals("HS256", header(confused).get("alg"));
            assertEquals(issuer.currentKey().kid(), header(confused).get("kid"), "kid kept to aim at the real key");
            JsonWebSignature jws = new JsonWebSignature();
            jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
            jws.setCompactSerialization(confused);
            jws.setKey(new HmacKey(publicKeyBytes));
            assertTrue(jws.verifySignature(), "really HMAC-signed with the public key bytes");
            // but a verifier that only allows RS256 refuses it
            assertThrows(InvalidJwtException.class,
                    () -> TestSupport.consumer(issuer, GLOBAL, "RS256").processToClaims(confused));

            String none = issuer.globalApiToken("u", GLOBAL).signedWith(null, "none").sign();
            assertTrue(none.endsWith("."));
            assertEquals("none", header(none).get("alg"));

            SigningKey attacker = SigningKey.generate(KeyType.RSA_2048);
            String forged = issuer.globalApiToken("u", GLOBAL).signedWith(attacker).kid(issuer.currentKey().kid()).sign();
            assertEquals(issuer.currentKey().kid(), header(forged).get("kid"));
            assertThrows(InvalidJwtException.class,
                    () -> TestSupport.consumer(issuer, GLOBAL, "RS256").processToClaims(forged));

            String unknownKid = issuer.globalApiToken("u", GLOBAL).signedWith(attacker).sign();
            assertEquals(attacker.kid(), header(unknownKid).get("kid"));

            // the published key, asked to sign as PS256, still produces a verifiable signature
            String ps = issuer.globalApiToken("u", GLOBAL).signedWith(issuer.currentKey().privateKey(), "PS256").sign();
            JsonWebSignature psJws = new JsonWebSignature();
            psJws.setCompactSerialization(ps);
            psJws.setKey(issuer.currentKey().publicKey());
            assertTrue(psJws.verifySignature());
            assertThrows(IllegalArgumentException.class, () -> issuer.token().signedWith(null, "RS256"));
        }
    }

    @Test
    void rawHeaderAndPayloadAreSignedVerbatim() throws Exception {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
            String raw = "{\"sub\":\"a\",\"sub\":\"b\"}";
            TokenBuilder t = issuer.token().rawPayload(raw);
            assertEquals(raw, t.unsignedPayloadJson());
            String jwt = t.sign();
            JsonWebSignature jws = new JsonWebSignature();
            jws.setCompactSerialization(jwt);
            jws.setKey(issuer.currentKey().publicKey());
            assertTrue(jws.verifySignature());
            assertEquals(raw, jws.getUnverifiedPayload());

            String header = "{\"alg\":\"ES384\",\"alg\":\"none\"}";
            String weird = issuer.token().rawHeader(header).sign();
            assertEquals(header, new String(java.util.Base64.getUrlDecoder().decode(weird.split("\\.")[0]),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void matchesTheShapeOfARealLogtoClientCredentialsToken() {
        Map<String, Object> ok = TestSupport.fixture("token-endpoint-ok-client-credentials.json");
        @SuppressWarnings("unchecked")
        String realJwt = (String) ((Map<String, Object>) ok.get("body")).get("access_token");
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
            String ours = issuer.m2mToken("q6qfcoa3x8auo3u287pq2", GLOBAL, "read:products").sign();
            assertEquals(List.copyOf(header(realJwt).keySet()), List.copyOf(header(ours).keySet()));
            assertEquals(List.copyOf(payload(realJwt).keySet()), List.copyOf(payload(ours).keySet()));
            assertEquals(header(realJwt).get("typ"), header(ours).get("typ"));
            assertEquals(header(realJwt).get("alg"), header(ours).get("alg"));
            assertEquals(payload(realJwt).get("scope"), payload(ours).get("scope"));
            assertEquals(payload(realJwt).get("sub"), payload(ours).get("sub"));
        }
    }
}
