package dev.orgtoken.testkit;

import static dev.orgtoken.testkit.TestSupport.get;
import static dev.orgtoken.testkit.TestSupport.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import org.jose4j.jwk.JsonWebKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KeyRotationTest {

    private LogtoTestIssuer issuer;

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.start();
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    private List<String> jwksKids() {
        List<String> kids = new ArrayList<>();
        for (JsonWebKey k : TestSupport.fetchJwks(issuer)) {
            kids.add(k.getKeyId());
        }
        return kids;
    }

    private static List<String> kids(List<SigningKey> keys) {
        List<String> kids = new ArrayList<>();
        keys.forEach(k -> kids.add(k.kid()));
        return kids;
    }

    @Test
    void rotationPublishesNewKeyFirstAndKeepsOldAsPrevious() {
        SigningKey first = issuer.currentKey();
        assertEquals(KeyType.EC_P384, first.type());
        String oldToken = issuer.globalApiToken("u1", "https://api.example.com/global").sign();
        String etagBefore = get(issuer.jwksUri()).headers().firstValue("ETag").orElseThrow();

        SigningKey rsa = issuer.rotateNow(KeyType.RSA_2048);

        assertEquals(rsa, issuer.currentKey());
        assertEquals(List.of(rsa.kid(), first.kid()), jwksKids());
        assertEquals(List.of(rsa, first), issuer.publishedKeys());
        // the old ETag is stale now
        HttpResponse<String> r = get(issuer.jwksUri(), "If-None-Match", etagBefore);
        assertEquals(200, r.statusCode());
        assertNotEquals(etagBefore, r.headers().firstValue("ETag").orElseThrow());
        // new tokens are RS256 with the new kid; old tokens still verify
        String newToken = issuer.globalApiToken("u1", "https://api.example.com/global").sign();
        assertEquals("RS256", header(newToken).get("alg"));
        assertEquals(rsa.kid(), header(newToken).get("kid"));
        TestSupport.verify(issuer, newToken, "https://api.example.com/global", "RS256");
        TestSupport.verify(issuer, oldToken, "https://api.example.com/global", "ES384");
    }

    @Test
    void rotateNowUsesTheIssuersKeyType() {
        try (LogtoTestIssuer p256 = LogtoTestIssuer.builder().keyType(KeyType.EC_P256).build()) {
            assertEquals(KeyType.EC_P256, p256.rotateNow().type());
        }
        assertEquals(KeyType.EC_P384, issuer.rotateNow().type());
    }

    @Test
    void atMostThreeKeysAreKeptDroppingTheOldestPrevious() {
        SigningKey k1 = issuer.currentKey();
        SigningKey k2 = issuer.rotateNow();
        SigningKey k3 = issuer.rotateNow();
        assertEquals(List.of(k3.kid(), k2.kid(), k1.kid()), jwksKids());
        SigningKey k4 = issuer.rotateNow();
        assertEquals(List.of(k4.kid(), k3.kid(), k2.kid()), jwksKids());
        assertEquals(List.of(k4, k3, k2), issuer.publishedKeys());
    }

    @Test
    void stagedNextKeyIsPublishedButDoesNotSignUntilPromoted() {
        SigningKey current = issuer.currentKey();
        SigningKey next = issuer.stageNextKey(KeyType.EC_P256);

        assertEquals(List.of(current.kid(), next.kid()), jwksKids());
        assertEquals(current, issuer.currentKey());
        assertEquals(current.kid(), header(issuer.token().sign()).get("kid"));

        issuer.promoteNextKey();
        assertEquals(next, issuer.currentKey());
        assertEquals(List.of(next.kid(), current.kid()), jwksKids());
        String token = issuer.organizationToken("u1", "org1", "read:members").sign();
        assertEquals("ES256", header(token).get("alg"));
        TestSupport.verify(issuer, token, "urn:logto:organization:org1", "ES256");

        assertThrows(IllegalStateException.class, issuer::promoteNextKey);
    }

    @Test
    void currentNextAndPreviousTogetherNeverExceedThree() {
        SigningKey k1 = issuer.currentKey();
        SigningKey k2 = issuer.rotateNow();
        SigningKey k3 = issuer.rotateNow();
        SigningKey next = issuer.stageNextKey(KeyType.EC_P384);
        assertEquals(List.of(k3.kid(), next.kid(), k2.kid()), jwksKids());
        assertTrue(!jwksKids().contains(k1.kid()));
        issuer.promoteNextKey();
        assertEquals(List.of(next.kid(), k3.kid(), k2.kid()), jwksKids());
    }

    @Test
    void removedKeysAreUnpublished() {
        SigningKey k1 = issuer.currentKey();
        SigningKey k2 = issuer.rotateNow();
        issuer.removeKey(k1.kid());
        assertEquals(List.of(k2.kid()), jwksKids());

        SigningKey next = issuer.stageNextKey(KeyType.EC_P384);
        issuer.removeKey(next.kid());
        assertEquals(List.of(k2.kid()), jwksKids());

        // removing the current key leaves it signing: its tokens name a kid the JWKS lacks
        issuer.removeKey(k2.kid());
        assertEquals(List.of(), jwksKids());
        assertEquals(List.of(), issuer.publishedKeys());
        assertEquals(k2.kid(), header(issuer.token().sign()).get("kid"));
        // and a rotation does not bring it back
        SigningKey k3 = issuer.rotateNow();
        assertEquals(List.of(k3.kid()), kids(issuer.publishedKeys()));

        assertThrows(IllegalArgumentException.class, () -> issuer.removeKey("no-such-kid"));
    }

    @Test
    void startsWithAGivenKey() {
        SigningKey key = SigningKey.generate(KeyType.EC_P521);
        try (LogtoTestIssuer fixed = LogtoTestIssuer.builder().signingKey(key).build()) {
            assertEquals(key, fixed.currentKey());
            assertEquals(KeyType.EC_P521, fixed.rotateNow().type());
        }
    }
}
