package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.LogtoTestIssuer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jose4j.json.JsonUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real tokens minted by Logto 1.37.1 (see testkit/src/test/resources/fixtures/logto-1.37.1/README.md,
 * read from the testkit's test jar),
 * verified against the real key sets served over HTTP on loopback, with the clock pinned to each
 * token's mint time.
 */
class LogtoFixtureInteropTest {
    private static final String FIXTURES = "/fixtures/logto-1.37.1/";
    private static final String ISSUER = "http://127.0.0.1:3001/oidc";
    private static final String ORG = "uqyzgrr50ixn";

    private static LogtoTestIssuer jwksServer;
    private static List<Map<String, Object>> manifest;

    record Fixture(String file, String kind, String phase, long mintedAt, String jwks, Map<String, Object> payload) {
        String token() {
            return read(FIXTURES + file).trim();
        }

        boolean isIdToken() {
            return file.endsWith(".id_token.jwt");
        }

        @Override
        public String toString() {
            return phase + "/" + kind;
        }
    }

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws Exception {
        jwksServer = LogtoTestIssuer.start();
        manifest = (List<Map<String, Object>>) JsonUtil.parseJson(read(FIXTURES + "manifest.json")).get("tokens");
    }

    @AfterAll
    static void stop() {
        jwksServer.close();
    }

    static Stream<Fixture> fixtures() throws Exception {
        if (manifest == null) {
            load();
        }
        List<Fixture> out = new ArrayList<>();
        for (Map<String, Object> t : manifest) {
            @SuppressWarnings("unchecked")
            Map<String, Object> payload = (Map<String, Object>) t.get("payload");
            out.add(new Fixture((String) t.get("file"), (String) t.get("kind"), (String) t.get("phase"),
                    ((Number) t.get("minted_at")).longValue(), (String) t.get("jwks"), payload));
        }
        return out.stream();
    }

    static Stream<Fixture> accessTokens() throws Exception {
        return fixtures().filter(f -> !f.isIdToken());
    }

    private static OrganizationTokenVerifier verifierAt(long epochSecond, String jwksFile) {
        // Serve the key set that was live when the token was minted, exactly as Logto served it.
        jwksServer.respondWithBody("application/json", read(FIXTURES + jwksFile));
        return OrganizationTokenVerifier.builder()
                .issuers(ISSUER)
                .jwksUri(jwksServer.jwksUri().toString())
                .clock(Clock.fixed(Instant.ofEpochSecond(epochSecond + 5), ZoneOffset.UTC))
                .build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accessTokens")
    void everyAccessTokenVerifiesWithTheClockAtItsMintTime(Fixture f) throws Exception {
        try (OrganizationTokenVerifier verifier = verifierAt(f.mintedAt(), f.jwks())) {
            String aud = (String) f.payload().get("aud");
            VerifiedToken token = verifier.verify(f.token(), Requirements.audience(aud));

            assertEquals(f.payload().get("sub"), token.subject());
            assertEquals(f.payload().get("client_id"), token.clientId().orElse(null));
            assertEquals(f.kind().startsWith("m2m-"), token.isMachineToMachine(), "m2m flag");
            assertEquals(expectedOrganization(f), token.organizationId().orElse(null), "organization");
            assertEquals(expectedScopes(f), token.scopes(), "scopes as a set");
            assertEquals(Instant.ofEpochSecond(((Number) f.payload().get("exp")).longValue()), token.expiresAt());
            assertEquals(List.of(aud), token.audiences());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accessTokens")
    void everyAccessTokenIsExpiredWithTheRealClock(Fixture f) {
        jwksServer.respondWithBody("application/json", read(FIXTURES + f.jwks()));
        try (OrganizationTokenVerifier verifier = OrganizationTokenVerifier.builder()
                .issuers(ISSUER).jwksUri(jwksServer.jwksUri().toString()).build()) {
            TokenRejectedException e = assertThrows(TokenRejectedException.class,
                    () -> verifier.verify(f.token(), Requirements.audience((String) f.payload().get("aud"))));
            assertEquals(RejectionReason.EXPIRED, e.reason());
            assertEquals(ErrorCode.INVALID_TOKEN, e.errorCode());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theIdTokenIsNeverAnAccessToken(Fixture f) {
        if (!f.isIdToken()) {
            return;
        }
        try (OrganizationTokenVerifier verifier = verifierAt(f.mintedAt(), f.jwks())) {
            TokenRejectedException e = assertThrows(TokenRejectedException.class,
                    () -> verifier.verify(f.token(), Requirements.audience((String) f.payload().get("aud"))));
            assertEquals(RejectionReason.WRONG_TYPE, e.reason());
        }
    }

    @Test
    void anOrganizationResourceTokenWithoutOrganizationIdFailsAnOrganizationRequirement() throws Exception {
        Fixture f = byKind("before-rotation", "m2m-org-resource-without-organization_id");
        try (OrganizationTokenVerifier verifier = verifierAt(f.mintedAt(), f.jwks())) {
            Requirements audienceOnly = Requirements.audience("https://api.example.com/org");
            assertTrue(verifier.verify(f.token(), audienceOnly).organizationId().isEmpty());

            TokenRejectedException exact = assertThrows(TokenRejectedException.class,
                    () -> verifier.verify(f.token(), audienceOnly.organization(ORG)));
            assertEquals(RejectionReason.MISSING_ORGANIZATION, exact.reason());
            assertEquals(ErrorCode.INSUFFICIENT_SCOPE, exact.errorCode());

            TokenRejectedException any = assertThrows(TokenRejectedException.class,
                    () -> verifier.verify(f.token(), audienceOnly.anyOrganization()));
            assertEquals(RejectionReason.MISSING_ORGANIZATION, any.reason());
        }
    }

    @Test
    void organizationShapesMapToTheOrganizationAndItsScopes() throws Exception {
        Fixture orgToken = byKind("before-rotation", "user-organization");
        Fixture orgResource = byKind("before-rotation", "user-org-resource");
        try (OrganizationTokenVerifier verifier = verifierAt(orgToken.mintedAt(), orgToken.jwks())) {
            VerifiedToken permissions = verifier.verify(orgToken.token(),
                    Requirements.organizationPermissions(ORG).scopes("invite:member", "read:members"));
            assertEquals(ORG, permissions.organizationId().orElseThrow());
            assertFalse(permissions.isMachineToMachine());

            TokenRejectedException other = assertThrows(TokenRejectedException.class, () -> verifier.verify(
                    orgToken.token(), Requirements.audience("urn:logto:organization:" + ORG).organization("someone-else")));
            assertEquals(RejectionReason.WRONG_ORGANIZATION, other.reason());
        }
        try (OrganizationTokenVerifier verifier = verifierAt(orgResource.mintedAt(), orgResource.jwks())) {
            VerifiedToken resource = verifier.verify(orgResource.token(),
                    Requirements.audience("https://api.example.com/org").organization(ORG).scopes("read:members"));
            assertEquals(ORG, resource.organizationId().orElseThrow());

            TokenRejectedException missing = assertThrows(TokenRejectedException.class, () -> verifier.verify(
                    orgResource.token(), Requirements.audience("https://api.example.com/org").organization(ORG)
                            .scopes("read:members", "manage:billing")));
            assertEquals(RejectionReason.MISSING_SCOPES, missing.reason());
            assertEquals(Set.of("manage:billing"), missing.missingScopes());
            assertEquals(Set.of("read:members", "manage:billing"), missing.requiredScopes());
        }
    }

    @Test
    void tokensFromBeforeTheRotationStillVerifyAgainstTheRotatedSet() throws Exception {
        Fixture old = byKind("before-rotation", "m2m-global-resource");
        try (OrganizationTokenVerifier verifier = verifierAt(old.mintedAt(), "jwks/after-rotation.json")) {
            assertEquals(Set.of("read:products"),
                    verifier.verify(old.token(), Requirements.audience("https://api.example.com/global")).scopes());
        }
    }

    private static Fixture byKind(String phase, String kind) throws Exception {
        return fixtures().filter(f -> f.phase().equals(phase) && f.kind().equals(kind)).findFirst().orElseThrow();
    }

    private static String expectedOrganization(Fixture f) {
        Object claim = f.payload().get("organization_id");
        if (claim != null) {
            return (String) claim;
        }
        String aud = (String) f.payload().get("aud");
        return aud.startsWith("urn:logto:organization:") ? aud.substring("urn:logto:organization:".length()) : null;
    }

    private static Set<String> expectedScopes(Fixture f) {
        Object scope = f.payload().get("scope");
        Set<String> out = new LinkedHashSet<>();
        if (scope != null) {
            for (String s : ((String) scope).split(" ")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    static String read(String resource) {
        try (InputStream in = LogtoFixtureInteropTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
