package dev.orgtoken.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.RejectionReason;
import dev.orgtoken.Requirements;
import dev.orgtoken.TokenRejectedException;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Target 3 with ACCP present: {@code nativeCrypto(true)} appends ACCP to the end of the provider
 * list, names it for signature verification, and tokens of every Logto algorithm verify.
 */
class AccpProviderTest {
    private static final Requirements REQUIREMENTS =
            Requirements.audience(Tokens.API).organization(Tokens.ORGANIZATION).scopes("read:members");

    @ParameterizedTest
    @ValueSource(strings = {"ES256", "ES384", "ES512", "RS256"})
    void nativeCryptoVerifiesWithAccp(String alg) throws Exception {
        assumeTrue(Accp.available(), "ACCP's native library does not load on this platform");
        String[] jvmDefaults = Arrays.stream(Security.getProviders()).map(Provider::getName)
                .filter(n -> !n.equals(Accp.NAME)).toArray(String[]::new);
        try (LogtoTestIssuer issuer = LogtoTestIssuer.builder().keyType(Tokens.keyType(alg)).build();
                OrganizationTokenVerifier verifier = OrganizationTokenVerifier.builder()
                        .logtoEndpoint(issuer.endpoint().toString()).tokenCacheSize(0).nativeCrypto(true).build()) {
            assertEquals(Accp.NAME, verifier.signatureProvider().orElseThrow());
            Provider[] providers = Security.getProviders();
            assertEquals(Accp.NAME, providers[providers.length - 1].getName(), "ACCP is appended, last");
            assertArrayEquals(jvmDefaults, Arrays.stream(providers).limit(providers.length - 1L)
                    .map(Provider::getName).toArray(String[]::new), "the JVM's order is unchanged");

            Tokens minter = new Tokens(issuer, null, 9);  // signed by the JDK: the verifier side is what counts
            String token = minter.next();
            assertEquals(Tokens.ORGANIZATION, verifier.verify(token, REQUIREMENTS).organizationId().orElseThrow());

            // Proof that the verifier asks for ACCP by name: without it registered, it cannot verify
            // (the JDK's own providers, still present, are not used behind our back).
            Provider accp = Security.getProvider(Accp.NAME);
            Security.removeProvider(Accp.NAME);
            try {
                TokenRejectedException e = assertThrows(TokenRejectedException.class,
                        () -> verifier.verify(token, REQUIREMENTS));
                assertEquals(RejectionReason.BAD_SIGNATURE, e.reason());
            } finally {
                Security.addProvider(accp);
            }
            assertEquals(Tokens.ORGANIZATION, verifier.verify(minter.next(), REQUIREMENTS).organizationId().orElseThrow(),
                    "verifies again once ACCP is back");

            // A forged signature is still refused through ACCP.
            String forged = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
            assertThrows(TokenRejectedException.class, () -> verifier.verify(forged, REQUIREMENTS));
        }
    }
}
