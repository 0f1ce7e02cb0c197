package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.SigningKey;
import dev.orgtoken.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One verifier, two Logto tenants (two testkit issuers, each serving its own JWKS over HTTP on
 * loopback): tokens are routed to their tenant by exact {@code iss} before any key lookup, a key of
 * one tenant never verifies a token that names the other's issuer, an unknown issuer costs no fetch,
 * and each tenant's refresh cooldown is its own. The clock is a {@link TestClock}: the cooldown
 * checks advance it instead of sleeping.
 */
class MultiTenantVerifierTest {
    private static final String API = "https://api.example.com/org";
    private static final Duration COOLDOWN = Duration.ofSeconds(30);

    private final TestClock clock = new TestClock(Instant.parse("2026-12-04T10:00:00Z"));
    private LogtoTestIssuer cloud;
    private LogtoTestIssuer selfHosted;
    private OrganizationTokenVerifier verifier;

    @BeforeEach
    void start() {
        cloud = LogtoTestIssuer.builder().clock(clock).build();
        selfHosted = LogtoTestIssuer.builder().clock(clock).build();
        verifier = OrganizationTokenVerifier.builder()
                .clock(clock)
                .jwksRefreshCooldown(COOLDOWN)
                .tenant("cloud", t -> t.logtoEndpoint(cloud.endpoint().toString()))
                .tenant("selfhosted", t -> t.logtoEndpoint(selfHosted.endpoint().toString()).rolesClaim("custom.roles"))
                .rolesClaim("roles")
                .build();
    }

    @AfterEach
    void stop() {
        verifier.close();
        cloud.close();
        selfHosted.close();
    }

    private TokenRejectedException refused(String token, Requirements r) {
        return assertThrows(TokenRejectedException.class, () -> verifier.verify(token, r));
    }

    @Test
    void eachTenantsTokensVerifyWithTheirOwnKeysAndSettings() throws Exception {
        VerifiedToken a = verifier.verify(cloud.globalApiToken("alice", API).claim("roles", List.of("admin")).sign(),
                Requirements.audience(API));
        VerifiedToken b = verifier.verify(selfHosted.globalApiToken("bob", API)
                .claim("custom", java.util.Map.of("roles", List.of("ops"))).sign(), Requirements.audience(API));
        assertEquals("cloud", a.tenant());
        assertEquals("selfhosted", b.tenant());
        assertEquals(Set.of("admin"), a.roles(), "the verifier's roles claim");
        assertEquals(Set.of("ops"), b.roles(), "the tenant's own roles claim");
        assertEquals(Set.of("cloud", "selfhosted"), verifier.tenants());
        assertEquals(Set.of(cloud.issuer(), selfHosted.issuer()), verifier.issuers());
        assertEquals(1, cloud.jwksRequests());
        assertEquals(1, selfHosted.jwksRequests());
    }

    @Test
    void aRequirementNamesTheTenantsItAccepts() throws Exception {
        String fromSelfHosted = selfHosted.globalApiToken("bob", API).sign();
        Requirements cloudOnly = Requirements.audience(API).tenants("cloud");
        TokenRejectedException e = refused(fromSelfHosted, cloudOnly);
        assertEquals(RejectionReason.WRONG_TENANT, e.reason());
        assertEquals(401, e.errorCode().httpStatus());
        assertEquals("token issuer is not accepted here", e.getMessage());
        verifier.verify(cloud.globalApiToken("alice", API).sign(), cloudOnly);
        verifier.verify(fromSelfHosted, Requirements.audience(API).tenants("cloud", "selfhosted"));
    }

    @Test
    void anUnknownIssuerIsRefusedWithoutAnyFetch() {
        try (LogtoTestIssuer stranger = LogtoTestIssuer.start()) {
            TokenRejectedException e = refused(stranger.globalApiToken("eve", API).sign(), Requirements.audience(API));
            assertEquals(RejectionReason.WRONG_ISSUER, e.reason());
            assertEquals(0, cloud.jwksRequests() + selfHosted.jwksRequests() + stranger.jwksRequests());
        }
    }

    /**
     * The confusion attempt: a token signed by the self-hosted tenant's key, naming the cloud tenant's
     * issuer. With the self-hosted kid, only the cloud tenant's key set is asked (one fetch of the
     * cloud keys, none of the self-hosted ones), and the kid is unknown there. With the cloud tenant's
     * own kid, the cloud key is used and the signature fails.
     */
    @Test
    void aKeyOfOneTenantNeverVerifiesATokenNamingAnother() throws Exception {
        verifier.verify(cloud.globalApiToken("alice", API).sign(), Requirements.audience(API));   // cloud keys cached
        verifier.verify(selfHosted.globalApiToken("bob", API).sign(), Requirements.audience(API));
        cloud.resetCounters();
        selfHosted.resetCounters();
        SigningKey selfHostedKey = selfHosted.currentKey();

        String selfHostedKid = cloud.globalApiToken("mallory", API).signedWith(selfHostedKey).sign();
        TokenRejectedException e = refused(selfHostedKid, Requirements.audience(API));
        assertEquals(RejectionReason.UNKNOWN_KEY, e.reason());
        assertEquals(1, cloud.jwksRequests(), "the unknown kid forced one refresh of the cloud keys");
        assertEquals(0, selfHosted.jwksRequests(), "the self-hosted keys are never asked for a cloud token");

        String cloudKid = cloud.globalApiToken("mallory", API).signedWith(selfHostedKey).kid(cloud.currentKey().kid()).sign();
        assertEquals(RejectionReason.BAD_SIGNATURE, refused(cloudKid, Requirements.audience(API)).reason());
        assertEquals(0, selfHosted.jwksRequests());
    }

    /** The same key (so the same kid) in both tenants: a withdrawal in one leaves the other's cached tokens alone. */
    @Test
    void aKeyWithdrawnByOneTenantDropsOnlyThatTenantsCachedTokens() throws Exception {
        SigningKey shared = SigningKey.generate(cloud.currentKey().type());
        try (LogtoTestIssuer a = LogtoTestIssuer.builder().clock(clock).signingKey(shared).build();
                LogtoTestIssuer b = LogtoTestIssuer.builder().clock(clock).signingKey(shared).build();
                OrganizationTokenVerifier v = OrganizationTokenVerifier.builder().clock(clock)
                        .jwksRefreshCooldown(Duration.ZERO)
                        .tenant("a", t -> t.logtoEndpoint(a.endpoint().toString()))
                        .tenant("b", t -> t.logtoEndpoint(b.endpoint().toString())).build()) {
            String tokenA = a.globalApiToken("alice", API).sign();
            String tokenB = b.globalApiToken("bob", API).sign();
            v.verify(tokenA, Requirements.audience(API));
            v.verify(tokenB, Requirements.audience(API));
            assertEquals(2, v.cachedTokenCount());

            a.rotateNow();
            a.removeKey(shared.kid());
            String newKid = a.globalApiToken("alice", API).sign();
            v.verify(newKid, Requirements.audience(API));   // forces a's refresh, which withdraws the shared kid in a
            assertEquals(RejectionReason.UNKNOWN_KEY,
                    assertThrows(TokenRejectedException.class, () -> v.verify(tokenA, Requirements.audience(API))).reason());
            int fetchesOfB = b.jwksRequests();
            assertEquals("b", v.verify(tokenB, Requirements.audience(API)).tenant(), "b's token still verifies");
            assertEquals(fetchesOfB, b.jwksRequests(), "from the cache: b's entry was not dropped");
        }
    }

    /**
     * A flood of random kids against the cloud tenant costs the cloud tenant one fetch per cooldown,
     * and leaves the self-hosted tenant's cooldown untouched: its new key is fetched at once.
     */
    @Test
    void aRandomKidFloodOnOneTenantDoesNotSpendTheOthersFetches() throws Exception {
        verifier.verify(cloud.globalApiToken("alice", API).sign(), Requirements.audience(API));
        verifier.verify(selfHosted.globalApiToken("bob", API).sign(), Requirements.audience(API));
        cloud.resetCounters();
        selfHosted.resetCounters();

        for (int i = 0; i < 50; i++) {
            String random = cloud.globalApiToken("mallory", API).kid(UUID.randomUUID().toString()).sign();
            assertEquals(RejectionReason.UNKNOWN_KEY, refused(random, Requirements.audience(API)).reason());
            clock.advance(Duration.ofMillis(100));   // 5 s in all: within one cooldown
        }
        assertEquals(1, cloud.jwksRequests(), "one fetch per cooldown for the flooded tenant");

        selfHosted.rotateNow();
        VerifiedToken fresh = verifier.verify(selfHosted.globalApiToken("bob", API).sign(), Requirements.audience(API));
        assertEquals("selfhosted", fresh.tenant());
        assertEquals(1, selfHosted.jwksRequests(), "the other tenant fetched its new key at once");

        clock.advance(COOLDOWN);
        String later = cloud.globalApiToken("mallory", API).kid(UUID.randomUUID().toString()).sign();
        refused(later, Requirements.audience(API));
        assertEquals(2, cloud.jwksRequests(), "the flooded tenant fetches again after its own cooldown");
    }

    @Test
    void theBuilderChecksTenantsWhereTheyAreSetAndTogetherAtBuild() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OrganizationTokenVerifier.builder()
                .tenant("Cloud", t -> t.logtoEndpoint("https://acme.logto.app"))).getMessage().startsWith("tenant name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OrganizationTokenVerifier.builder()
                .tenant("cloud", t -> t.jwksTtl(Duration.ZERO))).getMessage().startsWith("jwksTtl"));
        assertEquals("tenant 'b': logtoEndpoint(...) is required, or both issuers(...) and jwksUri(...)",
                assertThrows(IllegalStateException.class, () -> OrganizationTokenVerifier.builder()
                        .tenant("a", t -> t.logtoEndpoint("https://a.logto.app"))
                        .tenant("b", t -> t.jwksTtl(Duration.ofMinutes(5))).build()).getMessage());
        assertTrue(assertThrows(IllegalStateException.class, () -> OrganizationTokenVerifier.builder()
                .logtoEndpoint("https://a.logto.app")
                .tenant("b", t -> t.logtoEndpoint("https://b.logto.app")).build()).getMessage().contains("on each tenant"));
        assertTrue(assertThrows(IllegalStateException.class, () -> OrganizationTokenVerifier.builder()
                .tenant("a", t -> t.logtoEndpoint("https://a.logto.app"))
                .tenant("b", t -> t.issuers("https://a.logto.app/oidc").jwksUri("https://b.logto.app/oidc/jwks")).build())
                .getMessage().contains("both trust issuer https://a.logto.app/oidc"));
        assertTrue(assertThrows(IllegalStateException.class, () -> OrganizationTokenVerifier.builder()
                .tenant("a", t -> t.logtoEndpoint("https://a.logto.app"))
                .tenant("b", t -> t.issuers("https://auth.a.com/oidc").jwksUri("https://a.logto.app/oidc/jwks")).build())
                .getMessage().contains("share the JWKS URI"));
        assertTrue(assertThrows(IllegalStateException.class, () -> OrganizationTokenVerifier.builder()
                .tenant("a", t -> t.logtoEndpoint("http://a.example.com")).build())
                .getMessage().startsWith("tenant 'a': the JWKS URI"));
        // A tenant's own allowInsecureHttp, or the builder's, allows it.
        OrganizationTokenVerifier.builder().tenant("a", t -> t.logtoEndpoint("http://a.example.com").allowInsecureHttp(true))
                .validate();
        // Calls with the same name add to one tenant.
        try (OrganizationTokenVerifier v = OrganizationTokenVerifier.builder()
                .tenant("a", t -> t.logtoEndpoint("https://a.logto.app"))
                .tenant("a", t -> t.issuers("https://auth.a.com/oidc")).build()) {
            assertEquals(Set.of("https://a.logto.app/oidc", "https://auth.a.com/oidc"), v.issuers());
            assertEquals(Set.of("a"), v.tenants());
        }
        try (OrganizationTokenVerifier v = OrganizationTokenVerifier.builder().logtoEndpoint("https://a.logto.app").build()) {
            assertEquals(Set.of(TenantSettings.DEFAULT_TENANT), v.tenants());
        }
    }
}
