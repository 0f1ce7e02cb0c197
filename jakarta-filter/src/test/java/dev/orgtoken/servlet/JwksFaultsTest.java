package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.Problems.assertProblem;
import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.RejectionReason;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.TestClock;
import dev.orgtoken.testkit.SigningKey;
import jakarta.servlet.Filter;
import java.io.StringReader;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JWKS faults, served by a {@link LogtoTestIssuer} over real HTTP, seen through the filter on
 * Jetty. Each test gets its own issuer and container, so "nothing cached" really means that.
 * (JWKS down from start-up, then recovering without a restart, is {@link KeysUnavailableTest}.)
 *
 * <p>Observed answers (each asserted below):
 * <pre>
 * fault                                         keys cached (warm)               nothing cached
 * 503 after warm-up                             200 (fresh tokens, old kid);     -
 *                                               401 unknown key for a new kid
 * hangs 10 s, jwks-request-timeout 500ms        new kid: 401 within ~0.5-1 s,    503 within ~1 s
 *                                               50 concurrent all within ~1 s;
 *                                               /health and cached kids fast
 * 500                                           200                              503 + Retry-After: 1
 * garbage body, oversized body (200 KB),        200                              503
 *   truncated key set
 * a well-formed set with no usable key          401 unknown key, cached tokens too (ReviewFindingsTest)
 * 302 to another host                           -                                503 (not followed; the
 *                                                                                other host never asked)
 * key removed from the set                      its tokens 200, then 401 once a refresh saw the removal
 *                                               (cached verifications dropped too); other keys 200
 * staged rotation (Next, then promoted)         every request 200: Next learnt before it signs (the
 *                                               issuer is down when it is promoted)
 * clock +1 h past exp + skew / back before iat  401 "token has expired" / 401 "token was issued in
 *                                               the future"; 200 again when the clock returns
 * </pre>
 */
class JwksFaultsTest {
    /** Rules with short JWKS timings so faults show within a test's time. */
    private static final String RULES = """
            logto:
              endpoint: ${LOGTO_ENDPOINT}
              jwks-ttl: 1s
              jwks-refresh-cooldown: 1s
              jwks-request-timeout: 500ms
            audience: https://api.example.com/org
            unmatched: deny
            rules:
              - path: /health
                public: true
              - path: /api/me
            """;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private LogtoTestIssuer issuer() {
        LogtoTestIssuer issuer = LogtoTestIssuer.start();
        toClose.add(issuer);
        return issuer;
    }

    private static RuleSet rules(LogtoTestIssuer issuer) {
        return RuleSet.load("faults.yaml", new StringReader(RULES),
                Map.of("LOGTO_ENDPOINT", issuer.endpoint().toString())::get);
    }

    private Deployment jetty(Filter filter) {
        try {
            Deployment d = Deployment.start(JettyContainer::new, Container.FilterSetup.instance(filter));
            toClose.add(d::stop);
            return d;
        } catch (Container.StartFailure e) {
            throw new IllegalStateException(e);
        }
    }

    /** Jetty with a filter that builds its own verifier from {@link #RULES}. */
    private Deployment jetty(LogtoTestIssuer issuer) {
        return jetty(new OrganizationTokenFilter(rules(issuer)));
    }

    private static Answer get(Deployment d, String path, String token) {
        return RawHttp.send(d.container().port(), "GET " + path + " HTTP/1.1", "Authorization: Bearer " + token);
    }

    private static String fresh(LogtoTestIssuer issuer) {
        return issuer.globalApiToken("user-1", ORG_API).sign();
    }

    private static void eventually(Duration within, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            Thread.sleep(50);
        }
    }

    private static void assertUnknownKey(Answer answer, String token) {
        assertProblem(answer, 401, Problems.invalidToken("token signing key is unknown"),
                "token signing key is unknown", token);
    }

    private static void assertKeysUnavailable(Answer answer, String token) {
        assertProblem(answer, 503, null, "token keys are temporarily unavailable", token);
        assertEquals("1", answer.header("Retry-After"));
    }

    @Test
    void downAfterWarmUpCachedKeysKeepWorking() throws Exception {
        LogtoTestIssuer issuer = issuer();
        Deployment d = jetty(issuer);
        VerifierCounters counters = d.counters();
        assertEquals(200, get(d, "/api/me", fresh(issuer)).status());

        issuer.respondWithStatus(503);
        int requestsBefore = issuer.jwksRequests();
        long until = System.nanoTime() + Duration.ofMillis(2_500).toNanos();
        int answered = 0;
        while (System.nanoTime() < until) {
            String token = fresh(issuer);   // a new token each time: verified with the cached key, no token-cache hit
            Answer answer = get(d, "/api/me", token);
            assertEquals(200, answer.status(), answer::toString);
            answered++;
            Thread.sleep(100);
        }
        // The TTL (1 s) ran out during the outage: refreshes were tried, and failed, meanwhile.
        assertTrue(issuer.jwksRequests() > requestsBefore, "no refresh was attempted during the outage");
        assertTrue(counters.jwksFetchFailedCount() >= 1, counters::toString);
        assertTrue(answered >= 10);

        // A key the cached set does not have cannot be learnt now: 401, not 503 (the set itself is usable).
        issuer.rotateNow();
        Thread.sleep(1_100);   // past the cooldown, so the unknown kid may try a refresh (which fails)
        String newKid = fresh(issuer);
        assertUnknownKey(get(d, "/api/me", newKid), newKid);
        assertEquals(0, counters.rejectedCount(RejectionReason.KEYS_UNAVAILABLE));
    }

    @Test
    void hangingIssuerRequestsAreAnsweredWithinTheTimeout() throws Exception {
        LogtoTestIssuer issuer = issuer();
        Deployment d = jetty(issuer);
        String cached = fresh(issuer);
        assertEquals(200, get(d, "/api/me", cached).status());

        issuer.rotateNow();   // tokens from now on carry a kid the verifier has not seen
        issuer.hangFor(Duration.ofSeconds(10));
        Thread.sleep(1_100);  // past the TTL and cooldown: the new kid will try a (hanging) refresh

        long start = System.nanoTime();
        String newKid = fresh(issuer);
        Answer first = get(d, "/api/me", newKid);
        long firstMillis = (System.nanoTime() - start) / 1_000_000;
        assertUnknownKey(first, newKid);
        assertTrue(firstMillis < 1_500, "a new kid waited " + firstMillis + " ms");

        // 50 concurrent requests with new-kid tokens, while /health and a cached kid are also asked.
        int clients = 50;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                tokens.add(fresh(issuer));
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<long[]>> results = new ArrayList<>();
            for (String token : tokens) {
                results.add(pool.submit(() -> {
                    go.await();
                    long t0 = System.nanoTime();
                    Answer a = get(d, "/api/me", token);
                    return new long[] {a.status(), (System.nanoTime() - t0) / 1_000_000};
                }));
            }
            Thread.sleep(1_100);   // let the cooldown pass so the burst starts a new hanging refresh
            long burstStart = System.nanoTime();
            go.countDown();
            Thread.sleep(100);
            long h0 = System.nanoTime();
            Answer health = RawHttp.send(d.container().port(), "GET /health HTTP/1.1");
            long healthMillis = (System.nanoTime() - h0) / 1_000_000;
            long c0 = System.nanoTime();
            Answer cachedAnswer = get(d, "/api/me", cached);
            long cachedMillis = (System.nanoTime() - c0) / 1_000_000;
            long slowest = 0;
            for (Future<long[]> f : results) {
                long[] r = f.get(5, TimeUnit.SECONDS);
                assertEquals(401, r[0], "status of a new-kid request during the hang");
                slowest = Math.max(slowest, r[1]);
            }
            long burstMillis = (System.nanoTime() - burstStart) / 1_000_000;
            System.out.printf("hanging JWKS: first new-kid answer %d ms; 50 concurrent: slowest %d ms, all in %d ms;"
                    + " /health %d ms; cached kid %d ms%n", firstMillis, slowest, burstMillis, healthMillis, cachedMillis);
            assertTrue(slowest < 1_500, "slowest of 50 concurrent new-kid requests: " + slowest + " ms");
            assertTrue(burstMillis < 2_500, "50 concurrent requests took " + burstMillis + " ms");
            assertEquals(200, health.status());
            assertTrue(healthMillis < 500, "/health took " + healthMillis + " ms during the hang");
            assertEquals(200, cachedAnswer.status());
            assertTrue(cachedMillis < 500, "a cached kid took " + cachedMillis + " ms during the hang");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void hangingIssuerWithNothingCachedIs503WithinTheTimeout() {
        LogtoTestIssuer issuer = issuer();
        issuer.hangFor(Duration.ofSeconds(10));
        Deployment d = jetty(issuer);
        String token = fresh(issuer);
        long start = System.nanoTime();
        Answer answer = get(d, "/api/me", token);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertKeysUnavailable(answer, token);
        assertTrue(millis < 1_500, "waited " + millis + " ms for a hanging issuer");
    }

    @Test
    void serverErrors() throws Exception {
        // warm: cached keys keep working while refreshes get 500
        LogtoTestIssuer warmIssuer = issuer();
        Deployment warm = jetty(warmIssuer);
        assertEquals(200, get(warm, "/api/me", fresh(warmIssuer)).status());
        warmIssuer.respondWithStatus(500);
        int before = warmIssuer.jwksRequests();
        Thread.sleep(1_100);
        for (int i = 0; i < 10; i++) {
            assertEquals(200, get(warm, "/api/me", fresh(warmIssuer)).status());
            Thread.sleep(150);
        }
        assertTrue(warmIssuer.jwksRequests() > before, "no refresh met the 500s");

        // cold: nothing cached, 500 -> 503
        LogtoTestIssuer coldIssuer = issuer();
        coldIssuer.respondWithStatus(500);
        Deployment cold = jetty(coldIssuer);
        String token = fresh(coldIssuer);
        assertKeysUnavailable(get(cold, "/api/me", token), token);
        assertEquals(1, cold.counters().rejectedCount(RejectionReason.KEYS_UNAVAILABLE));
    }

    static Stream<Arguments> badBodies() {
        String oversized = "{\"keys\":[{\"kty\":\"EC\",\"x\":\"" + "A".repeat(200 * 1024) + "\"}]}";
        return Stream.of(Arguments.of("garbage", "<html>not a key set</html>"), Arguments.of("oversized", oversized),
                Arguments.of("truncated", "{\"keys\":[{\"kty\":\"EC\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badBodies(String fault, String body) throws Exception {
        // warm: the last good key set keeps working
        LogtoTestIssuer warmIssuer = issuer();
        Deployment warm = jetty(warmIssuer);
        assertEquals(200, get(warm, "/api/me", fresh(warmIssuer)).status());
        warmIssuer.respondWithBody("application/json", body);
        int before = warmIssuer.jwksRequests();
        Thread.sleep(1_100);
        for (int i = 0; i < 5; i++) {
            Answer answer = get(warm, "/api/me", fresh(warmIssuer));
            assertEquals(200, answer.status(), answer::toString);
            Thread.sleep(100);
        }
        assertTrue(warmIssuer.jwksRequests() > before, "no refresh met the bad body");

        // cold: nothing to fall back on
        LogtoTestIssuer coldIssuer = issuer();
        coldIssuer.respondWithBody("application/json", body);
        Deployment cold = jetty(coldIssuer);
        String token = fresh(coldIssuer);
        assertKeysUnavailable(get(cold, "/api/me", token), token);
    }

    @Test
    void redirectToAnotherHostIsNotFollowed() {
        LogtoTestIssuer issuer = issuer();
        LogtoTestIssuer elsewhere = issuer();
        // "localhost" and another port: another origin, which serves its own keys.
        issuer.redirectTo(URI.create("http://localhost:" + elsewhere.endpoint().getPort() + "/oidc/jwks"));
        Deployment d = jetty(issuer);
        String forged = elsewhere.globalApiToken("attacker", ORG_API).issuer(issuer.issuer()).sign();
        assertKeysUnavailable(get(d, "/api/me", forged), forged);
        String genuine = fresh(issuer);
        assertKeysUnavailable(get(d, "/api/me", genuine), genuine);
        assertEquals(0, elsewhere.jwksRequests(), "the redirect was followed");
        assertTrue(issuer.jwksRequests() >= 1);
    }

    @Test
    void aKeyRemovedFromTheSetIsRefusedAfterTheNextRefresh() throws Exception {
        LogtoTestIssuer issuer = issuer();
        SigningKey old = issuer.currentKey();
        issuer.rotateNow();   // old stays published as Previous
        Deployment d = jetty(issuer);
        String oldToken = issuer.globalApiToken("user-old", ORG_API).signedWith(old).sign();
        assertEquals(200, get(d, "/api/me", oldToken).status());
        assertEquals(200, get(d, "/api/me", oldToken).status());   // now a verified-token cache hit
        assertEquals(200, get(d, "/api/me", fresh(issuer)).status());

        issuer.removeKey(old.kid());
        // The TTL is 1 s: the next refresh (started by a request past it) sees the key gone.
        eventually(Duration.ofSeconds(5), () -> get(d, "/api/me", oldToken).status() == 401,
                "the removed key's token is refused");
        assertUnknownKey(get(d, "/api/me", oldToken), oldToken);
        String newOld = issuer.globalApiToken("user-old", ORG_API).signedWith(old).sign();
        assertUnknownKey(get(d, "/api/me", newOld), newOld);
        assertEquals(200, get(d, "/api/me", fresh(issuer)).status());
    }

    @Test
    void stagedRotationPassesWithoutRefusals() throws Exception {
        LogtoTestIssuer issuer = issuer();
        Deployment d = jetty(issuer);
        assertEquals(200, get(d, "/api/me", fresh(issuer)).status());

        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        Thread load = new Thread(() -> {
            while (running.get()) {
                String token = fresh(issuer);   // signed by whichever key is current at that moment
                Answer a = get(d, "/api/me", token);
                if (a.status() == 200) {
                    ok.incrementAndGet();
                } else {
                    failures.add(a.toString());
                }
            }
        }, "rotation-load");
        load.start();
        try {
            Thread.sleep(300);
            int before = issuer.jwksRequests();
            SigningKey next = issuer.stageNextKey(KeyType.EC_P384);
            // Published as Next: wait for a refresh that fetched it (TTL 1 s).
            eventually(Duration.ofSeconds(5), () -> issuer.jwksRequests() > before + 1, "a refresh after staging");
            Thread.sleep(200);
            // Now the issuer goes down and starts signing with Next: only an already-learnt key can pass.
            issuer.respondWithStatus(503);
            issuer.promoteNextKey();
            assertEquals(next.kid(), issuer.currentKey().kid());
            int okBefore = ok.get();
            Thread.sleep(1_500);
            assertTrue(ok.get() > okBefore + 5, "few requests with the promoted key: " + (ok.get() - okBefore));
            String promoted = fresh(issuer);
            assertEquals(200, get(d, "/api/me", promoted).status());
        } finally {
            running.set(false);
            load.join(5_000);
            issuer.respondNormally();
        }
        assertTrue(failures.isEmpty(), "refused during the staged rotation: " + failures);
    }

    /** A clock the test moves. */

    @Test
    void clockJumpsForwardAndBack() {
        LogtoTestIssuer issuer = issuer();
        Instant now = Instant.now();
        TestClock clock = new TestClock(now);
        VerifierCounters counters = new VerifierCounters();
        OrganizationTokenVerifier verifier = OrganizationTokenVerifier.builder()
                .logtoEndpoint(issuer.endpoint().toString())
                .clock(clock)
                .metrics(counters)
                .build();
        toClose.add(verifier);
        Deployment d = jetty(new OrganizationTokenFilter(rules(issuer), verifier));

        String token = issuer.globalApiToken("user-1", ORG_API).issuedAt(now).expiresAt(now.plusSeconds(3600)).sign();
        assertEquals(200, get(d, "/api/me", token).status());

        clock.set(now.plusSeconds(3600 + 59));   // within exp + 60 s skew
        assertEquals(200, get(d, "/api/me", token).status());
        clock.set(now.plusSeconds(3600 + 61));   // past it
        assertProblem(get(d, "/api/me", token), 401, Problems.invalidToken("token has expired"), "token has expired",
                token);
        assertEquals(1, counters.rejectedCount(RejectionReason.EXPIRED));

        clock.set(now.minusSeconds(600));   // back: the token's iat is 10 min in the future
        assertProblem(get(d, "/api/me", token), 401, Problems.invalidToken("token was issued in the future"),
                "token was issued in the future", token);
        clock.set(now.minusSeconds(59));    // within the skew
        assertEquals(200, get(d, "/api/me", token).status());
        clock.set(now.minusSeconds(61));
        assertEquals(401, get(d, "/api/me", token).status());
        assertEquals(2, counters.rejectedCount(RejectionReason.ISSUED_IN_FUTURE));

        clock.set(now.plusSeconds(5));   // back to normal
        assertEquals(200, get(d, "/api/me", token).status());
        assertEquals(200, get(d, "/api/me", fresh(issuer)).status());
    }
}
