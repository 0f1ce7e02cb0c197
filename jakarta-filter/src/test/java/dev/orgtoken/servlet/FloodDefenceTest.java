package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.Problems.assertProblem;
import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.RejectionReason;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bounded verification stage (performance issue, target 2): with every signature check taken,
 * a cached token still passes at once, and a new token beyond the limit gets 503 with
 * {@code Retry-After} instead of waiting for a turn. Saturation is a state set up exactly: the
 * one permitted signature check is held by a JCA provider ({@link HeldSignatures}) until the test
 * lets it go. On Jetty 12 and Tomcat 10.1.
 */
class FloodDefenceTest {
    private static LogtoTestIssuer issuer;
    private static final List<Running> running = new ArrayList<>();

    record Running(Deployment deployment, VerifierCounters counters, OrganizationTokenVerifier verifier) {
        @Override
        public String toString() {
            return deployment.name();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        HeldSignatures.install();
        issuer = LogtoTestIssuer.start();
        for (Supplier<Container> kind : Container.kinds()) {
            VerifierCounters counters = new VerifierCounters();
            OrganizationTokenVerifier verifier = OrganizationTokenVerifier.builder()
                    .logtoEndpoint(issuer.endpoint().toString())
                    .signatureProvider(HeldSignatures.NAME)
                    .maxConcurrentVerifications(1)
                    .verificationWait(Duration.ofMillis(20))
                    .metrics(counters)
                    .build();
            Deployment d = Deployment.start(kind, Container.FilterSetup.instance(
                    new OrganizationTokenFilter(TestRules.load(issuer.endpoint()), verifier)));
            running.add(new Running(d, counters, verifier));
        }
    }

    @AfterAll
    static void stop() {
        HeldSignatures.releaseAll();
        running.forEach(r -> {
            r.deployment().stop();
            r.verifier().close();
        });
        if (issuer != null) {
            issuer.close();
        }
    }

    @AfterEach
    void letGo() {
        HeldSignatures.releaseAll();
    }

    static Stream<Running> containers() {
        return running.stream();
    }

    private static Answer get(Running r, String token) {
        return RawHttp.send(r.deployment().container().port(), "GET /api/me HTTP/1.1", "Authorization: Bearer " + token);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void cachedTokensPassAndExcessNewOnesAreTurnedAwayWhileEveryCheckIsTaken(Running r) throws Exception {
        String cached = issuer.globalApiToken("user-cached", ORG_API).sign();
        assertEquals(200, get(r, cached).status(), "warms the cache");

        HeldSignatures.hold();
        String first = issuer.globalApiToken("user-new-1", ORG_API).sign();
        // Through REST Assured, which waits as long as the check is held (RawHttp gives up after 2 s).
        CompletableFuture<Answer> holding = CompletableFuture.supplyAsync(() -> Answer.of(
                r.deployment().request().header("Authorization", "Bearer " + first).get("/api/me")));
        HeldSignatures.awaitHeldCheck();   // the one permitted check is now taken, and held

        long start = System.nanoTime();
        Answer warm = get(r, cached);
        assertEquals(200, warm.status(), "a cached token never waits for the stage");

        String excess = issuer.globalApiToken("user-new-2", ORG_API).sign();
        Answer busy = get(r, excess);
        assertProblem(busy, 503, null, "token verification is busy; retry shortly", excess);
        assertEquals("1", busy.header("Retry-After"));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMillis < 5_000, "answered without waiting for the held check: " + elapsedMillis + " ms");
        assertEquals(1, r.counters().rejectedCount(RejectionReason.VERIFICATION_BUSY));

        HeldSignatures.releaseAll();
        assertEquals(200, holding.get(10, TimeUnit.SECONDS).status(), "the held check completes normally");
        assertEquals(200, get(r, excess).status(), "once the flood is over the same token passes");
    }
}
