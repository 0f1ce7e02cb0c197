package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.Problems.assertProblem;
import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.RejectionReason;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The issuer's JWKS endpoint answers 503 from the start: the filter answers 503 with
 * {@code Retry-After} (the refresh cooldown, 1 s) and a problem body; once the issuer is back and
 * the cooldown has passed, the same request passes, without restarting anything.
 */
class KeysUnavailableTest {
    /** Each container's filter has its own issuer, so each one really starts with no keys. */
    private static final Map<String, LogtoTestIssuer> ISSUERS = new HashMap<>();
    private static List<Deployment> running;

    @BeforeAll
    static void start() {
        List<Deployment> started = new ArrayList<>();
        try {
            for (var kind : Container.kinds()) {
                LogtoTestIssuer issuer = LogtoTestIssuer.start();
                issuer.respondWithStatus(503);
                Deployment d = Deployment.start(kind, Container.FilterSetup.instance(
                        new OrganizationTokenFilter(TestRules.load(issuer.endpoint()))));
                ISSUERS.put(d.name(), issuer);
                started.add(d);
            }
        } catch (Container.StartFailure e) {
            Deployment.stopAll(started);
            throw new IllegalStateException(e);
        }
        running = List.copyOf(started);
    }

    @AfterAll
    static void stop() {
        Deployment.stopAll(running);
        ISSUERS.values().forEach(LogtoTestIssuer::close);
    }

    static Stream<Deployment> deployments() {
        return running.stream();
    }

    @OnBothContainers
    void unavailableKeysThenRecovery(Deployment d) throws InterruptedException {
        LogtoTestIssuer issuer = ISSUERS.get(d.name());
        VerifierCounters counters = d.counters();
        String token = issuer.globalApiToken("user-1", ORG_API).sign();
        int before = d.hits();

        long failedAt = System.nanoTime();
        Answer answer = Answer.of(d.request().header("Authorization", "Bearer " + token).get("/api/me"));
        assertProblem(answer, 503, null, "token keys are temporarily unavailable", token);
        assertEquals("1", answer.header("Retry-After"));
        assertEquals(before, d.hits());
        assertEquals(1, counters.rejectedCount(RejectionReason.KEYS_UNAVAILABLE));
        assertTrue(counters.jwksFetchFailedCount() >= 1, counters::toString);
        int fetches = issuer.jwksRequests();
        assertTrue(fetches >= 1);

        // Public paths do not need keys.
        d.request().get("/health").then().statusCode(200);

        // Within the cooldown a retry does not hit the issuer again (checked only when this runs fast enough).
        answer = Answer.of(d.request().header("Authorization", "Bearer " + token).get("/api/me"));
        long elapsedMillis = (System.nanoTime() - failedAt) / 1_000_000;
        assertEquals(503, answer.status());
        if (elapsedMillis < 800) {
            assertEquals(fetches, issuer.jwksRequests(), "fetched again within the cooldown");
        }

        issuer.respondNormally();
        // Recovery without a restart, once the 1 s cooldown has passed. On a loaded machine the
        // retry above may have come after 800 ms and failed a fetch of its own, restarting the
        // cooldown, so poll (still 503 until then, never anything else) for a bounded time.
        long waitMillis = 1_100 - (System.nanoTime() - failedAt) / 1_000_000;
        if (waitMillis > 0) {
            Thread.sleep(waitMillis);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        answer = Answer.of(d.request().header("Authorization", "Bearer " + token).get("/api/me"));
        while (answer.status() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            answer = Answer.of(d.request().header("Authorization", "Bearer " + token).get("/api/me"));
        }
        assertEquals(200, answer.status(), answer::toString);
        assertEquals("user-1", d.app().last().principal());
        assertEquals(before + 2, d.hits());
        assertEquals(1, counters.acceptedCount());
        assertTrue(counters.jwksFetchedCount() >= 1, counters::toString);
    }
}
