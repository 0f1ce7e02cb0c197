package dev.orgtoken.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Target 5: no I/O on the warm path, and one JWKS fetch for N concurrent first requests. */
class NoIoOnWarmPathTest {
    private static final Requirements REQUIREMENTS =
            Requirements.audience(Tokens.API).organization(Tokens.ORGANIZATION).scopes("read:members");

    @Test
    void oneFetchForConcurrentFirstRequestsThenNoneWhileKeysAreCached() throws Exception {
        int threads = 32;
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {  // Logto's "Cache-Control: max-age=0"
            Tokens minter = new Tokens(issuer, Accp.forMinting(), 5);
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < threads + 200; i++) {
                tokens.add(minter.next());
            }
            VerifierCounters counters = new VerifierCounters();
            try (OrganizationTokenVerifier verifier = OrganizationTokenVerifier.builder()
                    .logtoEndpoint(issuer.endpoint().toString()).metrics(counters).build()) {
                assertEquals(0, issuer.jwksRequests(), "building fetches nothing");
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                try {
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<?>> first = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        String token = tokens.get(t);
                        first.add(pool.submit(() -> {
                            go.await();
                            return verifier.verify(token, REQUIREMENTS);
                        }));
                    }
                    go.countDown();
                    for (Future<?> f : first) {
                        f.get(30, TimeUnit.SECONDS);
                    }
                    assertEquals(1, issuer.jwksRequests(), threads + " concurrent first requests, one fetch");

                    // Warm path: the same tokens again (cache hits), from every thread, many times.
                    List<Future<?>> warm = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        String token = tokens.get(t);
                        warm.add(pool.submit(() -> {
                            for (int i = 0; i < 2_000; i++) {
                                verifier.verify(token, REQUIREMENTS);
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : warm) {
                        f.get(60, TimeUnit.SECONDS);
                    }
                    // Cold tokens with a known kid: signatures are checked, keys come from memory.
                    for (String token : tokens.subList(threads, tokens.size())) {
                        verifier.verify(token, REQUIREMENTS);
                    }
                } finally {
                    pool.shutdownNow();
                }
                assertEquals(1, issuer.jwksRequests(), "no JWKS request while serving cached keys");
                assertEquals(1, counters.jwksFetchedCount());
                assertEquals(threads * 2_000L, counters.tokenCacheHitCount());
                assertEquals(threads + 200L, counters.tokenCacheMissCount());
            }
        }
    }
}
