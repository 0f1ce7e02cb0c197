package dev.orgtoken.jwks;

import dev.orgtoken.jws.Algorithm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.SigningKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Outside review, finding 4: from a fresh clone on a loaded machine, 32 concurrent first requests
 * made 3 JWKS fetches instead of one. A lookup that saw no keys, and was descheduled before it
 * decided whether to fetch, started a second fetch after the first one had completed and cleared
 * its in-flight marker. These tests replay that interleaving exactly, instead of hoping a thread
 * pool produces it: thread A is held at {@link JwksCache#beforeRefreshDecision}, right after it
 * read the key set, while another lookup runs a whole fetch; then A is let go.
 */
class JwksSingleFlightTest {
    /** Fixed, so both threads read the same instant: the cooldown cannot separate them by luck. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T12:00:00Z"), ZoneOffset.UTC);

    private LogtoTestIssuer issuer;
    private JwksCache cache;

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.start();
    }

    @AfterEach
    void stop() {
        if (cache != null) {
            cache.close();
        }
        issuer.close();
    }

    private JwksCache cache(Duration cooldown) {
        JwksSettings settings = new JwksSettings(issuer.jwksUri(), null, Duration.ofSeconds(2), Duration.ofSeconds(5),
                128 * 1024, Duration.ofMinutes(10), cooldown, Duration.ofHours(24),
                EnumSet.allOf(Algorithm.class), CLOCK);
        cache = new JwksCache(settings, JwksListener.NONE);
        return cache;
    }

    /** Runs {@code lookup} on thread A, holds A where the race was, runs {@code meanwhile}, then lets A go. */
    private void replay(JwksCache cache, Lookup lookup, Runnable meanwhile) throws Exception {
        CountDownLatch aIsHeld = new CountDownLatch(1);
        CountDownLatch releaseA = new CountDownLatch(1);
        AtomicReference<Throwable> aFailed = new AtomicReference<>();
        Thread a = new Thread(() -> {
            try {
                lookup.run();
            } catch (Throwable t) {
                aFailed.set(t);
            }
        }, "lookup-A");
        cache.beforeRefreshDecision = () -> {
            if (Thread.currentThread() == a) {
                aIsHeld.countDown();
                try {
                    releaseA.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        a.start();
        assertTrue(aIsHeld.await(10, TimeUnit.SECONDS), "thread A never reached the refresh decision");
        meanwhile.run();
        releaseA.countDown();
        a.join(10_000);
        if (aFailed.get() != null) {
            throw new AssertionError("thread A failed", aFailed.get());
        }
    }

    @FunctionalInterface
    private interface Lookup {
        void run() throws Exception;
    }

    @Test
    void aFirstLookupThatSawNoKeysJoinsTheFetchThatCompletedMeanwhile() throws Exception {
        JwksCache cache = cache(Duration.ofSeconds(30));
        String kid = issuer.currentKey().kid();
        replay(cache, () -> assertEquals(kid, cache.keyFor(kid).keyId()),
                () -> assertTrue(cache.warmUp(), "B's fetch"));
        assertEquals(1, issuer.jwksRequests(), "A must use the set B fetched, not fetch again");
    }

    /**
     * The same interleaving for an unknown kid, with no cooldown to hide it: A saw a set without
     * the new key; meanwhile B's lookup for that key fetched it. A must take B's set.
     */
    @Test
    void anUnknownKidLookupTakesTheSetFetchedMeanwhile() throws Exception {
        JwksCache cache = cache(Duration.ZERO);
        assertTrue(cache.warmUp());
        SigningKey next = issuer.stageNextKey(KeyType.EC_P384);
        replay(cache, () -> assertEquals(next.kid(), cache.keyFor(next.kid()).keyId()),
                () -> {
                    try {
                        assertEquals(next.kid(), cache.keyFor(next.kid()).keyId(), "B's lookup");
                    } catch (KeyLookupException e) {
                        throw new AssertionError(e);
                    }
                });
        assertEquals(2, issuer.jwksRequests(), "warm-up and B's refresh; A must not fetch a third time");
    }
}
