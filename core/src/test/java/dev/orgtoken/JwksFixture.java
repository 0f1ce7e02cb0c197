package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.TestClock;
import dev.orgtoken.testkit.SigningKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Shared set-up for the JWKS and verified-token cache tests: a {@link LogtoTestIssuer} on loopback and
 * verifiers that share one {@link TestClock} with it, so time moves for tokens and keys together.
 * Verifiers made with {@link #build} are closed after each test.
 */
abstract class JwksFixture {
    static final String API = "https://api.example.com/org";
    static final Requirements REQUIRE_API = Requirements.audience(API).scopes("read:members");
    static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    /** The builder default, repeated here so tests can step over it. */
    static final Duration TTL = Duration.ofMinutes(10);
    static final Duration COOLDOWN = Duration.ofSeconds(30);

    final TestClock clock = new TestClock(NOW);
    final VerifierCounters counters = new VerifierCounters();
    LogtoTestIssuer issuer;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeEach
    void startIssuer() {
        issuer = LogtoTestIssuer.builder().clock(clock).build();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
        issuer.close();
    }

    /** A builder on the issuer, the shared clock and counters; generous timeouts unless a test says otherwise. */
    OrganizationTokenVerifier.Builder builder() {
        return OrganizationTokenVerifier.builder()
                .logtoEndpoint(issuer.endpoint().toString())
                .clock(clock)
                .metrics(counters)
                .jwksTtl(TTL)
                .jwksRefreshCooldown(COOLDOWN)
                .jwksRequestTimeout(Duration.ofSeconds(2));
    }

    OrganizationTokenVerifier build(OrganizationTokenVerifier.Builder b) {
        OrganizationTokenVerifier v = b.build();
        closeAfter.add(v);
        return v;
    }

    <T extends AutoCloseable> T closeLater(T c) {
        closeAfter.add(c);
        return c;
    }

    /** A fresh token (random jti, iat now) from the issuer's current key. */
    String token() {
        return issuer.globalApiToken("user-1", API, "read:members").sign();
    }

    /** A fresh token signed by this key (published or not), with its kid. */
    String tokenSignedBy(SigningKey key) {
        return issuer.globalApiToken("user-1", API, "read:members").signedWith(key).sign();
    }

    /** A fresh token signed by the current key under a kid nobody publishes. */
    String tokenWithRandomKid() {
        return issuer.globalApiToken("user-1", API, "read:members").kid("random-" + UUID.randomUUID()).sign();
    }

    static TokenRejectedException rejected(OrganizationTokenVerifier v, String token) {
        return assertThrows(TokenRejectedException.class, () -> v.verify(token, REQUIRE_API));
    }

    /** Polls (no fixed sleep) until the condition holds, failing after a few seconds. */
    static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            pause(5);
        }
    }

    /**
     * Gives a background refresh that should NOT have started the time it would need to reach the
     * issuer on loopback (a few milliseconds), so a following "no fetch" assertion means something.
     */
    static void settle() {
        pause(250);
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static long millisSince(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }
}
