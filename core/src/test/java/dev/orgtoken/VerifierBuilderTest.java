package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The verifier's builder, in Caffeine's style: each setter refuses a bad value when it is called,
 * naming the option; {@code validate()} and {@code build()} check only how options fit together.
 * Each limit is checked here and nowhere else (the rules file feeds this builder).
 */
class VerifierBuilderTest {
    private static OrganizationTokenVerifier.Builder builder() {
        return OrganizationTokenVerifier.builder();
    }

    private static String refused(Runnable setter) {
        return assertThrows(IllegalArgumentException.class, setter::run).getMessage();
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("clockSkew must be zero or positive, was PT-1S",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.clockSkew(Duration.ofSeconds(-1))),
                Arguments.of("clockSkew must be at most 5m, was PT5M1S",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.clockSkew(Duration.ofSeconds(301))),
                Arguments.of("maxTokenLength must be between 256 and 1048576",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.maxTokenLength(255)),
                Arguments.of("maxTokenLength must be between 256 and 1048576",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.maxTokenLength((1 << 20) + 1)),
                Arguments.of("tokenCacheSize must not be negative",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.tokenCacheSize(-1)),
                Arguments.of("jwksTtl must be at least 1s, was PT0.999S",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.jwksTtl(Duration.ofMillis(999))),
                Arguments.of("jwksRefreshCooldown must be zero or positive, was PT-0.001S",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.jwksRefreshCooldown(Duration.ofMillis(-1))),
                Arguments.of("jwksStaleFor must be zero or positive, was PT-1H",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.jwksStaleFor(Duration.ofHours(-1))),
                Arguments.of("jwksConnectTimeout must be positive, was PT0S",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.jwksConnectTimeout(Duration.ZERO)),
                Arguments.of("jwksRequestTimeout must be positive, was PT0S",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.jwksRequestTimeout(Duration.ZERO)),
                Arguments.of("jwksMaxResponseBytes must be between 1024 and 16 MiB, was 1023",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.jwksMaxResponseBytes(1023)),
                Arguments.of("allowedAlgorithms must not be empty (leave it out for the default)",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.allowedAlgorithms()),
                Arguments.of("signatureProvider must not be blank",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.signatureProvider(" ")),
                Arguments.of("endpoint must be an absolute http or https URI, was 'ftp://a'",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.logtoEndpoint("ftp://a")),
                Arguments.of("endpoint must be an absolute http or https URI, was 'tenant.logto.app'",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.logtoEndpoint("tenant.logto.app")),
                Arguments.of("endpoint must not have a query or fragment: 'https://a?x'",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.logtoEndpoint("https://a?x")),
                Arguments.of("endpoint must not contain user information",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.logtoEndpoint("https://u:p@a")),
                Arguments.of("jwksUri must not have a query or fragment: 'https://a/jwks?x=1'",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.jwksUri("https://a/jwks?x=1")),
                Arguments.of("jwksUri is not a valid URI: 'https://x/a b' (Illegal character in path)",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.jwksUri("https://x/a b")),
                Arguments.of("issuers must be an absolute http or https URI, was 'acme'",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.issuers("acme")),
                Arguments.of("issuer 'https://a/oidc' is listed twice",
                        (Consumer<OrganizationTokenVerifier.Builder>) b -> b.issuers("https://a/oidc", "https://a/oidc")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void eachSetterRefusesABadValueWhenCalled(String message, Consumer<OrganizationTokenVerifier.Builder> setter) {
        assertEquals(message, refused(() -> setter.accept(builder())));
    }

    @Test
    void boundariesAreAccepted() {
        builder().clockSkew(Duration.ZERO).clockSkew(Duration.ofMinutes(5)).maxTokenLength(256)
                .maxTokenLength(1 << 20).tokenCacheSize(0).jwksTtl(Duration.ofSeconds(1))
                .jwksRefreshCooldown(Duration.ZERO).jwksStaleFor(Duration.ZERO).jwksMaxResponseBytes(1024)
                .jwksMaxResponseBytes(16 << 20).logtoEndpoint("https://acme.logto.app/").validate();
    }

    @Test
    void combinationsAreCheckedByValidateAndBuild() {
        assertEquals("logtoEndpoint(...) is required, or both issuers(...) and jwksUri(...)",
                assertThrows(IllegalStateException.class, () -> builder().validate()).getMessage());
        assertEquals("jwksUri(...) is required when logtoEndpoint(...) is not set",
                assertThrows(IllegalStateException.class, () -> builder().issuers("https://a/oidc").build()).getMessage());
        assertEquals("set either signatureProvider(...) or nativeCrypto(true), not both",
                assertThrows(IllegalStateException.class, () -> builder().logtoEndpoint("https://a")
                        .signatureProvider("SunEC").nativeCrypto(true).validate()).getMessage());
        OrganizationTokenVerifier.Builder complete = builder().issuers("https://a/oidc").jwksUri("https://a/jwks");
        assertSame(complete, complete.validate());
    }

    /** Outside review, finding 8's rule, for keys: plain http only to loopback unless allowed. */
    @Test
    void plainHttpKeysNeedLoopbackOrAnExplicitAllowance() {
        for (String endpoint : new String[] {"http://localhost:3001", "http://127.0.0.1:3001", "http://[::1]:3001",
                "https://auth.example.com"}) {
            builder().logtoEndpoint(endpoint).validate();
        }
        // Names under .localhost are resolved through DNS by the JDK, so they may leave the machine.
        for (String endpoint : new String[] {"http://auth.example.com", "http://127.example.com", "http://10.0.0.1",
                "http://auth.localhost"}) {
            String message = assertThrows(IllegalStateException.class,
                    () -> builder().logtoEndpoint(endpoint).validate()).getMessage();
            assertTrue(message.startsWith("the JWKS URI " + endpoint + "/oidc/jwks uses plain http to a host that is not"
                    + " loopback"), message);
            assertTrue(message.contains("allowInsecureHttp(true)"), message);
            builder().logtoEndpoint(endpoint).allowInsecureHttp(true).validate();
        }
        // What is fetched decides: an https JWKS URI beside an http endpoint is fine.
        builder().logtoEndpoint("http://auth.example.com").jwksUri("https://keys.example.com/jwks").validate();
    }

    @Test
    void retryAfterIsTheCooldownInWholeSecondsAtLeastOne() {
        try (OrganizationTokenVerifier v = builder().logtoEndpoint("https://a").jwksRefreshCooldown(Duration.ZERO).build()) {
            assertEquals(Duration.ofSeconds(1), v.retryAfter());
        }
        try (OrganizationTokenVerifier v = builder().logtoEndpoint("https://a")
                .jwksRefreshCooldown(Duration.ofMillis(1500)).build()) {
            assertEquals(Duration.ofSeconds(2), v.retryAfter());
        }
        try (OrganizationTokenVerifier v = builder().logtoEndpoint("https://a").build()) {
            assertEquals(Duration.ofSeconds(30), v.retryAfter());
            assertEquals(Set.of("https://a/oidc"), v.issuers());
        }
    }

    // ------------------------------------------------------------------ LogtoEndpoint

    @Test
    void anEndpointDerivesEverythingOnce() {
        LogtoEndpoint cloud = LogtoEndpoint.of(" https://acme.logto.app// ");
        assertEquals(URI.create("https://acme.logto.app"), cloud.uri());
        assertEquals("https://acme.logto.app/oidc", cloud.issuer());
        assertEquals(URI.create("https://acme.logto.app/oidc/jwks"), cloud.jwksUri());
        assertEquals(URI.create("https://acme.logto.app/oidc/token"), cloud.tokenEndpoint());
        assertEquals("https://acme.logto.app/api", cloud.managementApiResource());
        assertFalse(cloud.isInsecure());

        LogtoEndpoint selfHosted = LogtoEndpoint.of("https://auth.example.com/logto");
        assertEquals("https://auth.example.com/logto/oidc", selfHosted.issuer());
        assertEquals(LogtoEndpoint.SELF_HOSTED_MANAGEMENT_API_RESOURCE, selfHosted.managementApiResource());
        assertEquals("https://default.logto.app/api", LogtoEndpoint.of("http://localhost:3001").managementApiResource());
        // Only a Logto Cloud host on the default https port is a cloud tenant.
        assertEquals("https://default.logto.app/api", LogtoEndpoint.of("https://x.logto.app:8443").managementApiResource());
        assertEquals("https://default.logto.app/api", LogtoEndpoint.of("https://evil-logto.app").managementApiResource());
        assertTrue(LogtoEndpoint.of("http://auth.example.com").isInsecure());
        assertEquals(cloud, LogtoEndpoint.of("https://acme.logto.app"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "acme", "ftp://a", "https://", "https://u@a", "https://a#x", "https://a?x=1"})
    void aBadEndpointIsRefusedOnce(String text) {
        assertThrows(IllegalArgumentException.class, () -> LogtoEndpoint.of(text));
        assertThrows(IllegalArgumentException.class, () -> builder().logtoEndpoint(text));
    }

    @Test
    void theRecordRefusesATrailingSlash() {
        assertEquals("endpoint must not end with '/': 'https://a/'",
                refused(() -> new LogtoEndpoint(URI.create("https://a/"))));
    }
}
