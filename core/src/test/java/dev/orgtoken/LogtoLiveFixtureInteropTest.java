package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.LogtoTestIssuer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.jose4j.json.JsonUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The second set of real Logto 1.37.1 tokens (testkit/src/test/resources/fixtures/logto-1.37.1-live,
 * read from the testkit's test jar): user tokens, a token-exchange token with {@code act}, custom
 * claims with {@code roles}, RS256 tokens after a rotation, and the ID token. Each is verified
 * against the key set that was live when it was minted, served over HTTP on loopback, with the
 * clock pinned to its mint time.
 */
class LogtoLiveFixtureInteropTest {
    private static final String FIXTURES = "/fixtures/logto-1.37.1-live/";
    private static final String ISSUER = "http://127.0.0.1:3001/oidc";
    private static final String ORG = "wlk09f0o6w4l";
    private static final String ALICE = "h5m7p1n85sox";

    private static LogtoTestIssuer jwksServer;

    record Fixture(String file, String kind, long mintedAt, String jwks, Map<String, Object> payload) {
        String token() {
            return LogtoFixtureInteropTest.read(FIXTURES + file).trim();
        }

        boolean isIdToken() {
            return file.equals("id-token.jwt");
        }

        @Override
        public String toString() {
            return file;
        }
    }

    @BeforeAll
    static void start() {
        jwksServer = LogtoTestIssuer.start();
    }

    @AfterAll
    static void stop() {
        jwksServer.close();
    }

    @SuppressWarnings("unchecked")
    static Stream<Fixture> tokens() throws Exception {
        List<Fixture> out = new ArrayList<>();
        Map<String, Object> manifest = JsonUtil.parseJson(LogtoFixtureInteropTest.read(FIXTURES + "manifest.json"));
        for (Map<String, Object> e : (List<Map<String, Object>>) manifest.get("entries")) {
            if (e.get("payload") != null) {   // the error entries have none
                out.add(new Fixture((String) e.get("file"), (String) e.get("kind"),
                        ((Number) e.get("minted_at")).longValue(), (String) e.get("jwks"),
                        (Map<String, Object>) e.get("payload")));
            }
        }
        return out.stream();
    }

    static Stream<Fixture> accessTokens() throws Exception {
        return tokens().filter(f -> !f.isIdToken());
    }

    private static Fixture named(String file) throws Exception {
        return tokens().filter(f -> f.file().equals(file)).findFirst().orElseThrow();
    }

    private static OrganizationTokenVerifier verifierAt(Fixture f) {
        // The key set exactly as Logto published it when the token was minted.
        jwksServer.respondWithBody("application/jwk-set+json; charset=utf-8",
                LogtoFixtureInteropTest.read(FIXTURES + f.jwks()));
        return OrganizationTokenVerifier.builder()
                .issuers(ISSUER)
                .jwksUri(jwksServer.jwksUri().toString())
                .clock(Clock.fixed(Instant.ofEpochSecond(f.mintedAt() + 5), ZoneOffset.UTC))
                .build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accessTokens")
    void everyAccessTokenVerifiesWithTheClockAtItsMintTime(Fixture f) throws Exception {
        try (OrganizationTokenVerifier verifier = verifierAt(f)) {
            String aud = (String) f.payload().get("aud");
            VerifiedToken token = verifier.verify(f.token(), Requirements.audience(aud));
            assertEquals(f.payload().get("sub"), token.subject());
            assertEquals(f.payload().get("client_id"), token.clientId().orElse(null));
            assertEquals(f.kind().startsWith("m2m"), token.isMachineToMachine(), "m2m flag");
            assertEquals(expectedOrganization(f), token.organizationId().orElse(null));
            assertEquals(scopes(f), token.scopes());
            assertEquals(Instant.ofEpochSecond(((Number) f.payload().get("exp")).longValue()), token.expiresAt());
            assertEquals(List.of(aud), token.audiences());
            Object act = f.payload().get("act");
            assertEquals(Optional.ofNullable(act == null ? null : ((Map<?, ?>) act).get("sub")), token.actor());
            assertEquals(f.payload().get("roles"), token.claim("roles").orElse(null));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accessTokens")
    void everyAccessTokenIsExpiredWithTheRealClock(Fixture f) {
        jwksServer.respondWithBody("application/jwk-set+json", LogtoFixtureInteropTest.read(FIXTURES + f.jwks()));
        try (OrganizationTokenVerifier verifier = OrganizationTokenVerifier.builder()
                .issuers(ISSUER).jwksUri(jwksServer.jwksUri().toString()).build()) {
            TokenRejectedException e = assertThrows(TokenRejectedException.class,
                    () -> verifier.verify(f.token(), Requirements.audience((String) f.payload().get("aud"))));
            assertEquals(RejectionReason.EXPIRED, e.reason());
        }
    }

    @Test
    void theIdTokenIsNeverAnAccessToken() throws Exception {
        Fixture f = named("id-token.jwt");
        try (OrganizationTokenVerifier verifier = verifierAt(f)) {
            TokenRejectedException e = assertThrows(TokenRejectedException.class,
                    () -> verifier.verify(f.token(), Requirements.audience((String) f.payload().get("aud"))));
            assertEquals(RejectionReason.WRONG_TYPE, e.reason());
        }
    }

    @Test
    void theTokenExchangeTokenSpeaksForAliceWithAnActor() throws Exception {
        Fixture f = named("token-exchange-act.jwt");
        try (OrganizationTokenVerifier verifier = verifierAt(f)) {
            VerifiedToken token = verifier.verify(f.token(),
                    Requirements.audience("https://api.example.com/global").scopes("org:create"));
            assertEquals(ALICE, token.subject());
            assertEquals(Optional.of(ALICE), token.actor());
            assertTrue(!token.isMachineToMachine());
        }
    }

    /**
     * Issue 14 on real tokens: the custom-claims script's {@code roles} read through
     * {@code rolesClaim("roles")}; the token-exchange token refused under an actor policy of deny; the
     * client allow-list and the subject kind on Logto's own {@code client_id} and {@code sub}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("accessTokens")
    void realTokensUnderRolesActorClientAndSubjectRequirements(Fixture f) throws Exception {
        jwksServer.respondWithBody("application/jwk-set+json", LogtoFixtureInteropTest.read(FIXTURES + f.jwks()));
        try (OrganizationTokenVerifier verifier = OrganizationTokenVerifier.builder().issuers(ISSUER)
                .jwksUri(jwksServer.jwksUri().toString()).rolesClaim("roles")
                .clock(Clock.fixed(Instant.ofEpochSecond(f.mintedAt() + 5), ZoneOffset.UTC)).build()) {
            Requirements base = Requirements.audience((String) f.payload().get("aud"));
            VerifiedToken token = verifier.verify(f.token(), base);
            boolean custom = f.payload().containsKey("roles");   // the custom-claims script ran
            assertEquals(custom ? Set.of("user-global") : Set.of(), token.roles());
            if (custom) {
                verifier.verify(f.token(), base.roles("user-global"));
            }
            assertEquals(RejectionReason.MISSING_ROLES,
                    assertThrows(TokenRejectedException.class, () -> verifier.verify(f.token(), base.roles("admin"))).reason());

            boolean act = f.payload().containsKey("act");
            if (act) {
                assertEquals(RejectionReason.ACTOR_NOT_ALLOWED, assertThrows(TokenRejectedException.class,
                        () -> verifier.verify(f.token(), base.actor(Requirements.ActorPolicy.DENY))).reason());
                verifier.verify(f.token(), base.actor(Requirements.ActorPolicy.REQUIRE));
            } else {
                verifier.verify(f.token(), base.actor(Requirements.ActorPolicy.DENY));
            }

            String clientId = (String) f.payload().get("client_id");
            verifier.verify(f.token(), base.clients(clientId));
            assertEquals(RejectionReason.CLIENT_NOT_ALLOWED, assertThrows(TokenRejectedException.class,
                    () -> verifier.verify(f.token(), base.clients("another-app"))).reason());

            Requirements.SubjectKind kind = f.kind().startsWith("m2m") ? Requirements.SubjectKind.M2M
                    : Requirements.SubjectKind.USER;
            Requirements.SubjectKind other = kind == Requirements.SubjectKind.M2M ? Requirements.SubjectKind.USER
                    : Requirements.SubjectKind.M2M;
            verifier.verify(f.token(), base.subject(kind));
            assertEquals(RejectionReason.WRONG_SUBJECT_KIND, assertThrows(TokenRejectedException.class,
                    () -> verifier.verify(f.token(), base.subject(other))).reason());
        }
    }

    @Test
    void aUserTokenWithoutOrganizationIdFailsAnOrganizationRequirement() throws Exception {
        Fixture f = named("user-org-resource-no-org.jwt");
        try (OrganizationTokenVerifier verifier = verifierAt(f)) {
            Requirements api = Requirements.audience("https://api.example.com/org");
            assertEquals(Set.of("read:members", "invite:member", "manage:billing"),
                    verifier.verify(f.token(), api).scopes());
            TokenRejectedException e = assertThrows(TokenRejectedException.class,
                    () -> verifier.verify(f.token(), api.organization(ORG).scopes("read:members")));
            assertEquals(RejectionReason.MISSING_ORGANIZATION, e.reason());
        }
    }

    @Test
    void theRsaTokensVerifyAgainstTheRotatedSetWhoseRsaKeyHasNoAlg() throws Exception {
        for (String file : List.of("rsa-m2m-org-resource.jwt", "rsa-user-org-resource.jwt")) {
            Fixture f = named(file);
            try (OrganizationTokenVerifier verifier = verifierAt(f)) {
                VerifiedToken token = verifier.verify(f.token(),
                        Requirements.audience("https://api.example.com/org").organization(ORG).scopes("read:members"));
                assertEquals("jKIbZNnOeWg-coQNPIN35yegvsto7cXOG-KQ3T7oh_E", token.keyId());
            }
        }
    }

    private static String expectedOrganization(Fixture f) {
        Object claim = f.payload().get("organization_id");
        if (claim != null) {
            return (String) claim;
        }
        String aud = (String) f.payload().get("aud");
        return aud.startsWith("urn:logto:organization:") ? aud.substring("urn:logto:organization:".length()) : null;
    }

    private static Set<String> scopes(Fixture f) {
        Set<String> out = new LinkedHashSet<>();
        Object scope = f.payload().get("scope");
        if (scope != null) {
            for (String s : ((String) scope).split(" ")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }
}
