package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.LogtoTestIssuer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The native-crypto switch without ACCP on the class path (core never depends on it): the verifier
 * builds, verifies with the JDK and says so once. The ACCP-present path is tested in the
 * benchmarks module, which has ACCP as a dependency.
 */
class NativeCryptoFallbackTest {
    private static final String API = "https://api.example.com/org";
    private static final String WARNING = "native crypto was requested but";

    private LogtoTestIssuer issuer;
    private List<String> providersBefore;

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.start();
        providersBefore = providerNames();
        NativeCrypto.resetForTests();
    }

    @AfterEach
    void stop() {
        System.clearProperty(NativeCrypto.PROPERTY);
        NativeCrypto.resetForTests();
        issuer.close();
    }

    private OrganizationTokenVerifier.Builder builder() {
        return OrganizationTokenVerifier.builder().logtoEndpoint(issuer.endpoint().toString());
    }

    private static List<String> providerNames() {
        return Arrays.stream(Security.getProviders()).map(Provider::getName).toList();
    }

    @Test
    void accpAbsentFallsBackToTheJdkWithOneWarning() throws Exception {
        String token = issuer.organizationResourceToken("user-1", API, "o1", "read:members").sign();
        String log = capturingStandardError(() -> {
            for (int i = 0; i < 3; i++) {
                try (OrganizationTokenVerifier verifier = builder().nativeCrypto(true).build()) {
                    assertTrue(verifier.signatureProvider().isEmpty(), "no provider is named: the JDK decides");
                    VerifiedToken verified = verifier.verify(token,
                            Requirements.audience(API).organization("o1").scopes("read:members"));
                    assertEquals("user-1", verified.subject());
                }
            }
        });
        assertEquals(1, occurrences(log, WARNING), "exactly one warning for three verifiers:\n" + log);
        assertTrue(log.contains("AmazonCorrettoCryptoProvider is not on the class path"), log);
        assertTrue(log.contains("WARN"), log);
        assertEquals(providersBefore, providerNames(), "the JVM's providers are untouched");
    }

    @Test
    void systemPropertySwitchesItOnForVerifiersBuiltWithoutCode() throws Exception {
        System.setProperty(NativeCrypto.PROPERTY, "accp");
        String token = issuer.organizationResourceToken("user-2", API, "o1").sign();
        String log = capturingStandardError(() -> {
            try (OrganizationTokenVerifier verifier = builder().build()) {
                assertTrue(verifier.signatureProvider().isEmpty());
                assertEquals("user-2", verifier.verify(token, Requirements.audience(API)).subject());
            }
        });
        assertEquals(1, occurrences(log, WARNING), log);
    }

    @Test
    void offByDefaultAndWhenTheBuilderSaysSo() throws Exception {
        String log = capturingStandardError(() -> {
            builder().build().close();
            System.setProperty(NativeCrypto.PROPERTY, "accp");
            builder().nativeCrypto(false).build().close();          // the builder wins over the property
            System.setProperty(NativeCrypto.PROPERTY, "jdk");
            builder().build().close();
        });
        assertEquals(0, occurrences(log, WARNING), log);
    }

    @Test
    void misconfigurationIsRefusedAtBuild() {
        IllegalStateException both = assertThrows(IllegalStateException.class,
                () -> builder().signatureProvider("SunEC").nativeCrypto(true).build());
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
        System.setProperty(NativeCrypto.PROPERTY, "openssl");
        IllegalStateException typo = assertThrows(IllegalStateException.class, () -> builder().build());
        assertTrue(typo.getMessage().contains(NativeCrypto.PROPERTY), typo.getMessage());
        // An explicit provider needs no property and is not overridden by it.
        System.setProperty(NativeCrypto.PROPERTY, "accp");
        try (OrganizationTokenVerifier v = builder().signatureProvider("SunEC").build()) {
            assertEquals("SunEC", v.signatureProvider().orElseThrow());
        }
    }

    @Test
    void aProviderWhoseNativeLibraryDidNotLoadIsNotRegistered() {
        NativeCrypto.Resolution r = NativeCrypto.resolve(BrokenNativeProvider.class.getName(),
                getClass().getClassLoader());
        assertFalse(r.usable());
        assertTrue(r.problem().contains("native library could not be loaded"), r.problem());
        assertTrue(r.problem().contains("no libfake in java.library.path"), r.problem());
        assertNull(Security.getProvider(BrokenNativeProvider.INSTANCE.getName()));
        assertEquals(providersBefore, providerNames());
    }

    @Test
    void anUnhealthyProviderIsNotRegistered() {
        NativeCrypto.Resolution r = NativeCrypto.resolve(UnhealthyNativeProvider.class.getName(),
                getClass().getClassLoader());
        assertFalse(r.usable());
        assertTrue(r.problem().contains("not healthy") && r.problem().contains("self-test failed"), r.problem());
        assertEquals(providersBefore, providerNames());
    }

    @Test
    void aHealthyProviderIsAppendedNeverPutFirst() {
        try {
            NativeCrypto.Resolution r = NativeCrypto.resolve(HealthyNativeProvider.class.getName(),
                    getClass().getClassLoader());
            assertTrue(r.usable(), String.valueOf(r.problem()));
            assertEquals("FakeNative", r.providerName());
            List<String> after = providerNames();
            assertEquals(providersBefore, after.subList(0, after.size() - 1), "the JVM's order is unchanged");
            assertEquals("FakeNative", after.get(after.size() - 1), "appended at the end");
            // Resolving again does not add it twice.
            NativeCrypto.resolve(HealthyNativeProvider.class.getName(), getClass().getClassLoader());
            assertEquals(after, providerNames());
        } finally {
            Security.removeProvider("FakeNative");
        }
    }

    private static int occurrences(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    interface Action {
        void run() throws Exception;
    }

    /** slf4j-simple writes to whatever System.err is at the time of the call. */
    private static String capturingStandardError(Action action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String captured = buffer.toString(StandardCharsets.UTF_8);
        original.print(captured);
        return captured;
    }

    /** Shaped like ACCP when its native library failed to load. */
    public static final class BrokenNativeProvider extends Provider {
        private static final long serialVersionUID = 1L;
        public static final BrokenNativeProvider INSTANCE = new BrokenNativeProvider();

        private BrokenNativeProvider() {
            super("FakeBrokenNative", "1.0", "test double");
        }

        public Throwable getLoadingError() {
            return new UnsatisfiedLinkError("no libfake in java.library.path");
        }

        public void assertHealthy() {
            throw new IllegalStateException("not reached: the loading error is checked first");
        }
    }

    /** Shaped like ACCP when it loaded but failed its self-tests. */
    public static final class UnhealthyNativeProvider extends Provider {
        private static final long serialVersionUID = 1L;
        public static final UnhealthyNativeProvider INSTANCE = new UnhealthyNativeProvider();

        private UnhealthyNativeProvider() {
            super("FakeUnhealthyNative", "1.0", "test double");
        }

        public Throwable getLoadingError() {
            return null;
        }

        public void assertHealthy() {
            throw new IllegalStateException("self-test failed");
        }
    }

    /** Shaped like a working ACCP. */
    public static final class HealthyNativeProvider extends Provider {
        private static final long serialVersionUID = 1L;
        public static final HealthyNativeProvider INSTANCE = new HealthyNativeProvider();

        private HealthyNativeProvider() {
            super("FakeNative", "1.0", "test double");
        }

        public Throwable getLoadingError() {
            return null;
        }

        public void assertHealthy() {}
    }
}
