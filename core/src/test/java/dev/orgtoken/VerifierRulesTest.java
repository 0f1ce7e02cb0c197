package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.TestClock;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.SigningKey;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Each numbered verifier rule, accepted and rejected, against the testkit issuer over real HTTP. */
class VerifierRulesTest {
    private static final String API = "https://api.example.com/org";
    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    private LogtoTestIssuer issuer;
    private OrganizationTokenVerifier verifier;
    private final VerifierCounters counters = new VerifierCounters();

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
        verifier = builder().build();
    }

    @AfterEach
    void stop() {
        verifier.close();
        issuer.close();
    }

    private OrganizationTokenVerifier.Builder builder() {
        return OrganizationTokenVerifier.builder()
                .logtoEndpoint(issuer.endpoint().toString())
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .metrics(counters);
    }

    private TokenRejectedException rejected(String token, Requirements requirements) {
        return assertThrows(TokenRejectedException.class, () -> verifier.verify(token, requirements));
    }

    private RejectionReason reasonFor(String token) {
        return rejected(token, Requirements.audience(API)).reason();
    }

    // 0. Sender-constrained tokens ------------------------------------------------------------

    /**
     * Outside review, finding 5: Logto puts {@code cnf} in tokens when DPoP (RFC 9449: {@code jkt})
     * or mutual TLS (RFC 8705: {@code x5t#S256}) is on. Without a proof-of-possession check such a
     * token must not pass as a bearer token: that would defeat the binding. Refused after the
     * signature would also pass, so the refusal is about the binding, not the token's validity.
     */
    @Test
    void senderConstrainedTokensAreRefused() throws Exception {
        for (Map<String, Object> cnf : List.<Map<String, Object>>of(
                Map.of("jkt", "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"),
                Map.of("x5t#S256", "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"),
                Map.of())) {
            String token = issuer.globalApiToken("user-1", API, "read:members").claim("cnf", cnf).sign();
            TokenRejectedException e = rejected(token, Requirements.audience(API));
            assertEquals(RejectionReason.SENDER_CONSTRAINED, e.reason(), cnf::toString);
            assertEquals(ErrorCode.INVALID_TOKEN, e.errorCode());
            assertEquals("token is bound to a key (cnf); only bearer tokens are accepted", e.getMessage());
        }
        // The same token without cnf passes.
        verifier.verify(issuer.globalApiToken("user-1", API, "read:members").sign(), Requirements.audience(API));
    }

    // 1. Signature ---------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(value = KeyType.class)
    void everyLogtoKeyTypeVerifies(KeyType type) throws Exception {
        issuer.rotateNow(type);
        VerifiedToken t = verifier.verify(issuer.globalApiToken("u1", API, "read").sign(), Requirements.audience(API));
        assertEquals("u1", t.subject());
        assertEquals(issuer.currentKey().kid(), t.keyId());
    }

    @Test
    void aTamperedPayloadFailsTheSignature() {
        String token = issuer.globalApiToken("u1", API, "read").sign();
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"read\"", "\"admin\"");
        String forged = parts[0] + "." + b64(payload) + "." + parts[2];
        assertEquals(RejectionReason.BAD_SIGNATURE, reasonFor(forged));
    }

    @Test
    void aSignatureByAnotherKeyWithTheRightKidFails() {
        SigningKey published = issuer.currentKey();
        issuer.rotateNow(KeyType.EC_P384);
        SigningKey other = issuer.currentKey();
        issuer.removeKey(published.kid());
        String token = issuer.globalApiToken("u1", API).signedWith(other.privateKey(), "ES384").kid(published.kid()).sign();
        RejectionReason reason = reasonFor(token);
        assertTrue(reason == RejectionReason.UNKNOWN_KEY || reason == RejectionReason.BAD_SIGNATURE, reason.toString());
        String sameKidWrongKey = issuer.globalApiToken("u1", API).kid(other.kid())
                .signedWith(published.privateKey(), "ES384").sign();
        assertEquals(RejectionReason.BAD_SIGNATURE, reasonFor(sameKidWrongKey));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE", "HS256", "HS384", "HS512", "RS1", "ES256K", "", "EdDSA"})
    void algorithmsOffTheAllowListAreRefused(String alg) {
        String token = issuer.globalApiToken("u1", API).algorithm(alg).sign();
        assertEquals(RejectionReason.UNSUPPORTED_ALGORITHM, reasonFor(token));
    }

    @Test
    void hs256KeyedWithThePublicKeyIsRefused() {
        byte[] publicJwk = issuer.currentKey().publicJwk().getBytes(StandardCharsets.UTF_8);
        byte[] der = issuer.currentKey().publicKey().getEncoded();
        for (byte[] secret : List.of(publicJwk, der)) {
            String token = issuer.globalApiToken("u1", API).signedWith(new SecretKeySpec(secret, "HmacSHA256"), "HS256")
                    .kid(issuer.currentKey().kid()).sign();
            assertEquals(RejectionReason.UNSUPPORTED_ALGORITHM, reasonFor(token));
        }
    }

    @Test
    void theAllowListIsConfigurable() throws Exception {
        try (OrganizationTokenVerifier onlyRs256 = builder().allowedAlgorithms(JwsAlgorithm.RS256).build()) {
            String es384 = issuer.globalApiToken("u1", API).sign();
            assertEquals(RejectionReason.UNSUPPORTED_ALGORITHM, assertThrows(TokenRejectedException.class,
                    () -> onlyRs256.verify(es384, Requirements.audience(API))).reason());
            issuer.rotateNow(KeyType.RSA_2048);
            assertEquals("u1", onlyRs256.verify(issuer.globalApiToken("u1", API).sign(), Requirements.audience(API))
                    .subject());
        }
    }

    @Test
    void theAlgorithmMustFitTheKeyCurve() {
        // An ES256 header over a P-384 key's kid: the curve does not fit, refused before any math.
        String token = issuer.globalApiToken("u1", API).algorithm("ES256").sign();
        assertEquals(RejectionReason.KEY_MISMATCH, reasonFor(token));
    }

    @Test
    void rsaKeyWithoutAlgVerifiesRs256ButNotOtherRsaAlgorithms() throws Exception {
        issuer.rotateNow(KeyType.RSA_2048);
        assertTrue(issuer.currentKey().publicJwk().indexOf("\"alg\"") < 0, "Logto's RSA JWK has no alg");
        verifier.verify(issuer.globalApiToken("u1", API).sign(), Requirements.audience(API));
        String ps256 = issuer.globalApiToken("u1", API).signedWith(issuer.currentKey().privateKey(), "PS256")
                .kid(issuer.currentKey().kid()).sign();
        assertEquals(RejectionReason.UNSUPPORTED_ALGORITHM, reasonFor(ps256));
    }

    @ParameterizedTest
    @ValueSource(strings = {"jwk", "jku", "x5u", "x5c", "crit", "b64", "cty", "enc", "zip"})
    void headersThatBringKeysOrExtensionsAreRefused(String header) {
        Object value = switch (header) {
            case "crit" -> List.of("exp");
            case "b64" -> Boolean.FALSE;
            case "x5c" -> List.of("MIIB");
            case "jwk" -> Map.of("kty", "EC");
            default -> "https://attacker.example/x";
        };
        String token = issuer.globalApiToken("u1", API).header(header, value).sign();
        assertEquals(RejectionReason.UNSUPPORTED_HEADER, reasonFor(token));
        assertEquals(0, counters.acceptedCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.b", "a.b.c.d", "a.b.c.d.e", "", "....", "e30.e30.", ".e30.e30", "e30..e30",
        "eyJhbGciOiJFUzM4NCJ9.e30=.AAAA", "{\"payload\":\"e30\"}", "e30.e30.AA AA", "e30.e30.AA+/", "e30.e30.A\u0000A"})
    void onlyTheCompactSerializationIsAccepted(String token) {
        RejectionReason reason = reasonFor(token);
        assertEquals(RejectionReason.MALFORMED_TOKEN, reason);
    }

    @Test
    void anOversizedTokenIsRefusedBeforeDecoding() {
        String huge = "e".repeat(20_000) + ".e30.AAAA";
        assertEquals(RejectionReason.TOKEN_TOO_LARGE, reasonFor(huge));
    }

    @Test
    void duplicateJsonMembersAreRefused() {
        String token = issuer.globalApiToken("u1", API)
                .rawPayload("{\"iss\":\"" + issuer.issuer() + "\",\"sub\":\"u1\",\"aud\":\"" + API
                        + "\",\"exp\":" + (NOW.getEpochSecond() + 600) + ",\"sub\":\"admin\"}")
                .sign();
        assertEquals(RejectionReason.MALFORMED_TOKEN, reasonFor(token));
    }

    @Test
    void aNestedTokenAsPayloadIsRefused() {
        String inner = issuer.globalApiToken("u1", API).sign();
        String outer = issuer.globalApiToken("u1", API).rawPayload(inner).sign();
        assertEquals(RejectionReason.MALFORMED_TOKEN, reasonFor(outer));
    }

    // 2. typ ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"at+jwt", "AT+JWT", "application/at+jwt", "Application/AT+JWT"})
    void accessTokenTypesAreAccepted(String typ) throws Exception {
        verifier.verify(issuer.globalApiToken("u1", API).type(typ).sign(), Requirements.audience(API));
    }

    @Test
    void otherTypesAreRefusedUnlessTurnedOff() throws Exception {
        String jwt = issuer.globalApiToken("u1", API).type("JWT").sign();
        String none = issuer.globalApiToken("u1", API).type(null).sign();
        assertEquals(RejectionReason.WRONG_TYPE, reasonFor(jwt));
        assertEquals(RejectionReason.WRONG_TYPE, reasonFor(none));
        try (OrganizationTokenVerifier lax = builder().requireAccessTokenType(false).build()) {
            lax.verify(jwt, Requirements.audience(API));
            lax.verify(none, Requirements.audience(API));
        }
    }

    // 3. iss ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/", "/oidc/", "/OIDC", "/oidc2", "/oidc/../oidc", "x"})
    void issuerNearMissesAreRefused(String suffix) {
        String iss = suffix.equals("x") ? "x" + issuer.issuer() : issuer.endpoint() + suffix;
        assertEquals(RejectionReason.WRONG_ISSUER, reasonFor(issuer.globalApiToken("u1", API).issuer(iss).sign()));
    }

    @Test
    void severalIssuersCanBeTrusted() throws Exception {
        String custom = "https://auth.example.com/oidc";
        String token = issuer.globalApiToken("u1", API).issuer(custom).sign();
        assertEquals(RejectionReason.WRONG_ISSUER, reasonFor(token));
        try (OrganizationTokenVerifier both = builder().issuers(custom).build()) {
            assertEquals(custom, both.verify(token, Requirements.audience(API)).issuer());
            both.verify(issuer.globalApiToken("u1", API).sign(), Requirements.audience(API));
        }
    }

    @Test
    void aMissingOrNonStringIssuerIsRefused() {
        assertEquals(RejectionReason.INVALID_CLAIM, reasonFor(issuer.globalApiToken("u1", API).removeClaim("iss").sign()));
        assertEquals(RejectionReason.INVALID_CLAIM, reasonFor(issuer.globalApiToken("u1", API).claim("iss", 7).sign()));
    }

    // 4. Time --------------------------------------------------------------------------------

    @Test
    void expiryHonoursTheSkew() throws Exception {
        Instant inSkew = NOW.minusSeconds(30);
        verifier.verify(issuer.globalApiToken("u1", API).issuedAt(NOW.minusSeconds(3600)).expiresAt(inSkew).sign(),
                Requirements.audience(API));
        String expired = issuer.globalApiToken("u1", API).issuedAt(NOW.minusSeconds(3600)).expiresAt(NOW.minusSeconds(60)).sign();
        assertEquals(RejectionReason.EXPIRED, reasonFor(expired));
    }

    @Test
    void aTokenExpiresWhileCached() throws Exception {
        Instant exp = NOW.plusSeconds(10);
        String token = issuer.globalApiToken("u1", API).expiresAt(exp).sign();
        TestClock clock = new TestClock(NOW);
        try (OrganizationTokenVerifier v = builder().clock(clock).build()) {
            v.verify(token, Requirements.audience(API));
            v.verify(token, Requirements.audience(API));
            assertEquals(1, counters.tokenCacheHitCount());
            clock.set(exp.plusSeconds(60));
            TokenRejectedException e = assertThrows(TokenRejectedException.class, () -> v.verify(token, Requirements.audience(API)));
            assertEquals(RejectionReason.EXPIRED, e.reason());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"1900000000\"", "true", "null", "1e300", "-1e300", "[1]", "{}"})
    void expMustBeAReasonableNumber(String json) {
        Object value = parseJsonValue(json);
        String token = issuer.globalApiToken("u1", API).claim("exp", value).sign();
        assertEquals(RejectionReason.INVALID_CLAIM, reasonFor(token));
    }

    @Test
    void expIsRequired() {
        assertEquals(RejectionReason.INVALID_CLAIM, reasonFor(issuer.globalApiToken("u1", API).removeClaim("exp").sign()));
    }

    @Test
    void aNegativeExpIsExpired() {
        assertEquals(RejectionReason.EXPIRED, reasonFor(issuer.globalApiToken("u1", API).claim("exp", -1L).sign()));
    }

    @Test
    void nbfIsHonouredWithTheSkew() throws Exception {
        verifier.verify(issuer.globalApiToken("u1", API).notBefore(NOW.plusSeconds(30)).sign(), Requirements.audience(API));
        String early = issuer.globalApiToken("u1", API).notBefore(NOW.plusSeconds(120)).sign();
        assertEquals(RejectionReason.NOT_YET_VALID, reasonFor(early));
        assertEquals(RejectionReason.INVALID_CLAIM,
                reasonFor(issuer.globalApiToken("u1", API).claim("nbf", "soon").sign()));
    }

    @Test
    void iatInTheFutureBeyondTheSkewIsRefused() throws Exception {
        verifier.verify(issuer.globalApiToken("u1", API).issuedAt(NOW.plusSeconds(30)).sign(), Requirements.audience(API));
        String future = issuer.globalApiToken("u1", API).issuedAt(NOW.plusSeconds(120)).expiresAt(NOW.plusSeconds(3600)).sign();
        assertEquals(RejectionReason.ISSUED_IN_FUTURE, reasonFor(future));
        assertEquals(RejectionReason.INVALID_CLAIM,
                reasonFor(issuer.globalApiToken("u1", API).claim("iat", true).sign()));
    }

    @Test
    void theSkewIsConfigurableUpToFiveMinutes() throws Exception {
        String expired = issuer.globalApiToken("u1", API).issuedAt(NOW.minusSeconds(3600)).expiresAt(NOW.minusSeconds(200)).sign();
        try (OrganizationTokenVerifier lenient = builder().clockSkew(Duration.ofMinutes(5)).build()) {
            lenient.verify(expired, Requirements.audience(API));
        }
        try (OrganizationTokenVerifier strict = builder().clockSkew(Duration.ZERO).build()) {
            String exactlyNow = issuer.globalApiToken("u1", API).issuedAt(NOW.minusSeconds(60)).expiresAt(NOW).sign();
            assertEquals(RejectionReason.EXPIRED, assertThrows(TokenRejectedException.class,
                    () -> strict.verify(exactlyNow, Requirements.audience(API))).reason());
        }
        // Refused by the setter itself, before build() (VerifierBuilderTest has every option).
        assertThrows(IllegalArgumentException.class, () -> builder().clockSkew(Duration.ofMinutes(6)));
        assertThrows(IllegalArgumentException.class, () -> builder().clockSkew(Duration.ofSeconds(-1)));
    }

    // 5. Audience ----------------------------------------------------------------------------

    @Test
    void audienceAsStringOrArray() throws Exception {
        verifier.verify(issuer.globalApiToken("u1", API).audiences("https://other", API).sign(), Requirements.audience(API));
        assertEquals(RejectionReason.WRONG_AUDIENCE,
                reasonFor(issuer.globalApiToken("u1", "https://other").sign()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://api.example.com/org/", "HTTPS://api.example.com/org", "https://api.example.com/Org",
        "https://api.example.com/or", "https://api.example.com/org "})
    void audienceNearMissesAreRefused(String aud) {
        assertEquals(RejectionReason.WRONG_AUDIENCE, reasonFor(issuer.globalApiToken("u1", aud).sign()));
    }

    @Test
    void audienceOfTheWrongShapeIsRefused() {
        for (Object aud : List.of(List.of(), Map.of("a", "b"), 5L, List.of(API, 5L))) {
            assertEquals(RejectionReason.INVALID_CLAIM, reasonFor(issuer.globalApiToken("u1", API).claim("aud", aud).sign()),
                    String.valueOf(aud));
        }
    }

    // 6. Organization ------------------------------------------------------------------------

    @Test
    void organizationFromTheClaimOrFromTheOrganizationAudience() throws Exception {
        VerifiedToken resource = verifier.verify(issuer.organizationResourceToken("u1", API, "o1", "read:members").sign(),
                Requirements.audience(API).organization("o1"));
        assertEquals("o1", resource.organizationId().orElseThrow());
        VerifiedToken permissions = verifier.verify(issuer.organizationToken("u1", "o1", "manage:settings").sign(),
                Requirements.organizationPermissions("o1").scopes("manage:settings"));
        assertEquals("o1", permissions.organizationId().orElseThrow());
        assertEquals(List.of("urn:logto:organization:o1"), permissions.audiences());
    }

    @Test
    void aTokenForAnotherOrganizationIsInsufficientScope() {
        TokenRejectedException e = rejected(issuer.organizationResourceToken("u1", API, "o2", "read:members").sign(),
                Requirements.audience(API).organization("o1").scopes("read:members"));
        assertEquals(RejectionReason.WRONG_ORGANIZATION, e.reason());
        assertEquals(ErrorCode.INSUFFICIENT_SCOPE, e.errorCode());
        assertEquals(403, e.errorCode().httpStatus());
        assertEquals(Set.of("read:members"), e.requiredScopes());
    }

    @Test
    void aGlobalTokenCarryingScopesFromAllOrganizationsFailsAnOrganizationRequirement() throws Exception {
        String global = issuer.globalApiToken("u1", API, "read:members").sign();
        assertTrue(verifier.verify(global, Requirements.audience(API).scopes("read:members")).organizationId().isEmpty());
        assertEquals(RejectionReason.MISSING_ORGANIZATION,
                rejected(global, Requirements.audience(API).organization("o1").scopes("read:members")).reason());
        assertEquals(RejectionReason.MISSING_ORGANIZATION,
                rejected(global, Requirements.audience(API).anyOrganization()).reason());
    }

    @Test
    void anyOrganizationAcceptsEitherShape() throws Exception {
        verifier.verify(issuer.organizationResourceToken("u1", API, "o9").sign(), Requirements.audience(API).anyOrganization());
        verifier.verify(issuer.organizationToken("u1", "o9").sign(),
                Requirements.audience("urn:logto:organization:o9").anyOrganization());
    }

    @Test
    void conflictingOrganizationsAreRefused() {
        String both = issuer.organizationToken("u1", "o1").organizationId("o2").sign();
        assertEquals(RejectionReason.INVALID_CLAIM, rejected(both, Requirements.audience("urn:logto:organization:o1")).reason());
        String two = issuer.token().subject("u1")
                .audiences("urn:logto:organization:o1", "urn:logto:organization:o2").sign();
        assertEquals(RejectionReason.INVALID_CLAIM, rejected(two, Requirements.audience("urn:logto:organization:o1")).reason());
        String nonString = issuer.organizationResourceToken("u1", API, "o1").claim("organization_id", 1L).sign();
        assertEquals(RejectionReason.INVALID_CLAIM, reasonFor(nonString));
    }

    // 7. Scopes ------------------------------------------------------------------------------

    @Test
    void scopesAreAllRequiredAndComparedExactly() throws Exception {
        String token = issuer.globalApiToken("u1", API, "read:members", "invite:member").sign();
        verifier.verify(token, Requirements.audience(API).scopes("read:members", "invite:member"));
        for (String wanted : List.of("read", "read:member", "read:members:all", "READ:MEMBERS", "members")) {
            TokenRejectedException e = rejected(token, Requirements.audience(API).scopes(wanted));
            assertEquals(RejectionReason.MISSING_SCOPES, e.reason(), wanted);
            assertEquals(Set.of(wanted), e.missingScopes());
        }
    }

    @Test
    void aMissingOrEmptyScopeMeansNone() throws Exception {
        for (String token : List.of(issuer.globalApiToken("u1", API).noScope().sign(),
                issuer.globalApiToken("u1", API).scope("").sign(), issuer.globalApiToken("u1", API).scope("   ").sign())) {
            assertEquals(Set.of(), verifier.verify(token, Requirements.audience(API)).scopes());
            assertEquals(RejectionReason.MISSING_SCOPES, rejected(token, Requirements.audience(API).scopes("read")).reason());
        }
    }

    @Test
    void aScopeArrayIsRefused() {
        assertEquals(RejectionReason.INVALID_CLAIM,
                reasonFor(issuer.globalApiToken("u1", API).claim("scope", List.of("read")).sign()));
    }

    @Test
    void requirementsRejectBadScopeNames() {
        assertThrows(IllegalArgumentException.class, () -> Requirements.audience(API).scopes("a b"));
        assertThrows(IllegalArgumentException.class, () -> Requirements.audience(API).scopes(""));
        assertThrows(IllegalArgumentException.class, () -> Requirements.audience(" "));
    }

    // 8. Result ------------------------------------------------------------------------------

    @Test
    void theResultCarriesEveryClaimAndTheM2mFlag() throws Exception {
        VerifiedToken m2m = verifier.verify(issuer.m2mToken("client-1", API, "read").claim("custom", Map.of("k", List.of(1L))).sign(),
                Requirements.audience(API));
        assertTrue(m2m.isMachineToMachine());
        assertEquals("client-1", m2m.subject());
        assertEquals("client-1", m2m.clientId().orElseThrow());
        assertEquals(Map.of("k", List.of(1L)), m2m.claim("custom").orElseThrow());
        assertThrows(UnsupportedOperationException.class, () -> m2m.claims().put("x", "y"));
        assertEquals(NOW, m2m.issuedAt().orElseThrow());
        assertEquals(NOW.plusSeconds(3600), m2m.expiresAt());
        assertTrue(m2m.jwtId().isPresent());
        assertFalse(m2m.toString().contains("eyJ"));

        VerifiedToken user = verifier.verify(issuer.globalApiToken("user-1", API).clientId("app-1").sign(), Requirements.audience(API));
        assertFalse(user.isMachineToMachine());
    }

    // 9. Rejection ---------------------------------------------------------------------------

    @Test
    void rejectionMessagesNeverEchoTheTokenOrItsValues() {
        String secretish = "attacker-controlled-value";
        List<String> tokens = List.of(
                issuer.globalApiToken("u1", API).issuer(secretish).sign(),
                issuer.globalApiToken("u1", secretish).sign(),
                issuer.globalApiToken("u1", API).claim("exp", secretish).sign(),
                issuer.globalApiToken("u1", API).kid(secretish).sign(),
                issuer.globalApiToken("u1", API).algorithm(secretish).sign());
        for (String token : tokens) {
            TokenRejectedException e = rejected(token, Requirements.audience(API));
            assertFalse(e.getMessage().contains(secretish), e.getMessage());
            assertFalse(e.getMessage().contains(token.substring(0, 20)), e.getMessage());
            assertEquals(0, e.getStackTrace().length, "no stack trace to leak");
        }
    }

    @Test
    void everyReasonMapsToItsRfc6750Code() {
        assertEquals("invalid_token", RejectionReason.EXPIRED.errorCode().bearerError().orElseThrow());
        assertEquals("insufficient_scope", RejectionReason.MISSING_SCOPES.errorCode().bearerError().orElseThrow());
        assertEquals("invalid_request", ErrorCode.INVALID_REQUEST.bearerError().orElseThrow());
        // Token reasons only: the request's own refusals (missing token, ambiguous path, ...) are the
        // servlet layer's RequestRefusal, answered as the client really sees them.
        for (RejectionReason r : RejectionReason.values()) {
            assertTrue(r.errorCode() != ErrorCode.INVALID_REQUEST, r::toString);
        }
        assertTrue(RejectionReason.KEYS_UNAVAILABLE.errorCode().bearerError().isEmpty());
        assertEquals(503, RejectionReason.KEYS_UNAVAILABLE.errorCode().httpStatus());
    }

    @Test
    void metricsCountAcceptedAndRejectedByReason() throws Exception {
        verifier.verify(issuer.globalApiToken("u1", API).sign(), Requirements.audience(API));
        reasonFor(issuer.globalApiToken("u1", "https://other").sign());
        assertEquals(1, counters.acceptedCount());
        assertEquals(1, counters.rejectedCount(RejectionReason.WRONG_AUDIENCE));
        assertEquals(1, counters.rejectedCount());
        assertEquals(1, counters.jwksFetchedCount());
    }

    // Builder validation ---------------------------------------------------------------------

    @Test
    void theBuilderRefusesIncompleteOrUnsafeOptions() {
        assertThrows(IllegalStateException.class, () -> OrganizationTokenVerifier.builder().build());
        assertThrows(IllegalStateException.class, () -> OrganizationTokenVerifier.builder().issuers("https://x/oidc").build());
        assertThrows(IllegalArgumentException.class, () -> OrganizationTokenVerifier.builder().logtoEndpoint("acme.logto.app"));
        assertThrows(IllegalArgumentException.class, () -> OrganizationTokenVerifier.builder().logtoEndpoint("ftp://x"));
        assertThrows(IllegalArgumentException.class, () -> OrganizationTokenVerifier.builder().allowedAlgorithms());
        assertTrue(JwsAlgorithm.named("HS256").isEmpty(), "never a MAC");
        // A bad value is refused by its setter, before build().
        assertThrows(IllegalArgumentException.class, () -> builder().maxTokenLength(10));
        assertThrows(IllegalArgumentException.class, () -> builder().tokenCacheSize(-1));
        try (OrganizationTokenVerifier v = OrganizationTokenVerifier.builder().logtoEndpoint("https://acme.logto.app/").build()) {
            assertEquals(Set.of("https://acme.logto.app/oidc"), v.issuers());
        }
    }

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Object parseJsonValue(String json) {
        try {
            return org.jose4j.json.JsonUtil.parseJson("{\"v\":" + json + "}").get("v");
        } catch (org.jose4j.lang.JoseException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
