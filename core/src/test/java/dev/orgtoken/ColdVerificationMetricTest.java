package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orgtoken.testkit.LogtoTestIssuer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link VerifierMetrics#coldVerification}: once per token that passed the cold path, never for a cache hit or a refusal. */
class ColdVerificationMetricTest {
    private static final String API = "https://api.example.com/org";

    private final List<Duration> timings = new CopyOnWriteArrayList<>();
    private LogtoTestIssuer issuer;
    private OrganizationTokenVerifier verifier;

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.start();
        verifier = OrganizationTokenVerifier.builder()
                .logtoEndpoint(issuer.endpoint().toString())
                .metrics(new VerifierMetrics() {
                    @Override
                    public void coldVerification(Duration elapsed) {
                        timings.add(elapsed);
                    }
                })
                .build();
    }

    @AfterEach
    void stop() {
        verifier.close();
        issuer.close();
    }

    @Test
    void timesEachTokenVerifiedOnTheColdPathOnce() throws Exception {
        String token = issuer.globalApiToken("user-1", API, "read:members").sign();
        verifier.verify(token, Requirements.audience(API));
        assertEquals(1, timings.size());
        assertFalse(timings.get(0).isNegative() || timings.get(0).isZero(), "a cold verification takes time");

        verifier.verify(token, Requirements.audience(API));                  // a cache hit
        assertEquals(1, timings.size());

        verifier.verify(issuer.globalApiToken("user-2", API).sign(), Requirements.audience(API));
        assertEquals(2, timings.size());
    }

    @Test
    void doesNotTimeRefusedTokens() {
        String forged = issuer.globalApiToken("user-1", API).sign();
        String tampered = forged.substring(0, forged.length() - 4) + (forged.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertThrows(TokenRejectedException.class, () -> verifier.verify(tampered, Requirements.audience(API)));
        assertThrows(TokenRejectedException.class, () -> verifier.verify("not-a-token", Requirements.audience(API)));
        assertEquals(List.of(), timings);
    }
}
