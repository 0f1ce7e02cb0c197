package dev.orgtoken.bench;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import dev.orgtoken.VerifiedToken;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memory of the verified-token cache, measured as heap after a full GC.
 *
 * <ul>
 *   <li>{@code entry}: heap with 0 cached tokens, then with N cached tokens (cache size 2N so
 *       nothing is evicted), divided by N; and, for the breakdown, N {@link VerifiedToken}s held in
 *       a list with the cache off (the entry's value alone).</li>
 *   <li>{@code stream}: M distinct valid tokens through a verifier whose cache holds 10,000, in a
 *       small heap; the heap after GC is sampled as they pass and must stay flat.</li>
 * </ul>
 *
 * <p>Tokens are Logto-shaped (see {@link Tokens}) and minted on the fly, never held. They are
 * signed and verified with ES256 through ACCP: a million ES384 tokens through the JDK would take
 * about an hour on two cores, and the cached entry does not depend on the algorithm (the
 * {@code kid} is a 43-character thumbprint for every key type).
 *
 * <pre>
 * java -XX:+UseSerialGC -Xmx1g -cp benchmarks/target/benchmarks.jar dev.orgtoken.bench.MemoryFootprint entry 100000
 * java -XX:+UseSerialGC -Xmx256m -cp benchmarks/target/benchmarks.jar dev.orgtoken.bench.MemoryFootprint stream 1000000
 * </pre>
 */
public final class MemoryFootprint {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final Requirements REQUIREMENTS =
            Requirements.audience(Tokens.API).organization(Tokens.ORGANIZATION).scopes("read:members");

    private MemoryFootprint() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "entry";
        int count = args.length > 1 ? Integer.parseInt(args[1]) : mode.equals("entry") ? 100_000 : 1_000_000;
        System.out.printf("%s, max heap %d MiB, %s%n", System.getProperty("java.vm.version"),
                Runtime.getRuntime().maxMemory() >> 20, Accp.describe());
        try (LogtoTestIssuer issuer = LogtoTestIssuer.builder().keyType(KeyType.EC_P256).build()) {
            switch (mode) {
                case "entry" -> entry(issuer, count);
                case "stream" -> stream(issuer, count);
                default -> throw new IllegalArgumentException("mode is entry or stream");
            }
        }
    }

    private static void entry(LogtoTestIssuer issuer, int n) throws Exception {
        Tokens minter = new Tokens(issuer, Accp.forMinting(), 1);
        System.out.printf("token length %d characters (ES256; ES384 adds 43)%n", minter.next().length());
        // Separate methods, so nothing one measurement allocated is still reachable from this frame.
        long perToken = heldValues(issuer, minter, n);
        long perEntry = cachedEntries(issuer, minter, n);
        System.out.printf("so the key, the cache node and the policy's share cost about %,d bytes%n",
                perEntry - perToken);
    }

    private static long cachedEntries(LogtoTestIssuer issuer, Tokens minter, int n) throws Exception {
        try (OrganizationTokenVerifier verifier = verifier(issuer, 2L * n)) {
            for (int i = 0; i < 2000; i++) { // warm up: classes, JIT, the JWKS
                verifier.verify(minter.next(), REQUIREMENTS);
            }
            long before = usedAfterGc();
            long cachedBefore = cachedTokenCount(verifier);
            for (int i = 0; i < n; i++) {
                verifier.verify(minter.next(), REQUIREMENTS);
            }
            long after = usedAfterGc();
            long cached = cachedTokenCount(verifier) - cachedBefore;
            long perEntry = (after - before) / cached;
            System.out.printf("cache: %,d more entries, heap after GC %,d -> %,d bytes: %,d bytes per cached token%n",
                    cached, before, after, perEntry);
            return perEntry;
        }
    }

    private static long heldValues(LogtoTestIssuer issuer, Tokens minter, int n) throws Exception {
        try (OrganizationTokenVerifier verifier = verifier(issuer, 0)) {
            for (int i = 0; i < 2000; i++) {
                verifier.verify(minter.next(), REQUIREMENTS);
            }
            List<VerifiedToken> held = new ArrayList<>(n);
            long before = usedAfterGc();
            for (int i = 0; i < n; i++) {
                held.add(verifier.verify(minter.next(), REQUIREMENTS));
            }
            long after = usedAfterGc();
            long perToken = (after - before) / n;
            System.out.printf("the value alone (%,d VerifiedTokens with their claims, held in a presized list): "
                    + "%,d bytes each%n", held.size(), perToken);
            return perToken;
        }
    }

    private static void stream(LogtoTestIssuer issuer, int total) throws Exception {
        int cacheSize = 10_000;
        int minters = Math.max(1, Runtime.getRuntime().availableProcessors());
        BlockingQueue<String> queue = new ArrayBlockingQueue<>(4096);
        AtomicLong minted = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < minters; t++) {
            Tokens minter = new Tokens(issuer, Accp.forMinting(), 100 + t);
            Thread thread = new Thread(() -> {
                try {
                    while (minted.getAndIncrement() < total) {
                        queue.put(minter.next());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "minter-" + t);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        VerifierCounters counters = new VerifierCounters();
        try (OrganizationTokenVerifier verifier = OrganizationTokenVerifier.builder()
                .logtoEndpoint(issuer.endpoint().toString()).tokenCacheSize(cacheSize).nativeCrypto(true)
                .metrics(counters).build()) {
            long start = System.nanoTime();
            long maxUsed = 0;
            long maxCached = 0;
            long step = total / 20;
            for (int i = 1; i <= total; i++) {
                String token = queue.poll(30, TimeUnit.SECONDS);
                if (token == null) {
                    throw new IllegalStateException("minting stalled at " + i);
                }
                verifier.verify(token, REQUIREMENTS);
                if (i % step == 0) {
                    long used = usedAfterGc();
                    long cached = cachedTokenCount(verifier);
                    maxUsed = Math.max(maxUsed, used);
                    maxCached = Math.max(maxCached, cached);
                    System.out.printf("%,9d tokens verified: heap after GC %,6.1f MiB, %,d cached, %.0f s%n", i,
                            used / 1048576.0, cached, (System.nanoTime() - start) / 1e9);
                }
            }
            System.out.printf("%,d distinct valid tokens: accepted %,d, cache misses %,d, hits %,d; "
                    + "max heap after GC %.1f MiB of %d MiB; max cached %,d (bound %,d); %.0f s%n", total,
                    counters.acceptedCount(), counters.tokenCacheMissCount(), counters.tokenCacheHitCount(),
                    maxUsed / 1048576.0, Runtime.getRuntime().maxMemory() >> 20, maxCached, cacheSize,
                    (System.nanoTime() - start) / 1e9);
            if (maxCached > cacheSize || counters.acceptedCount() != total) {
                throw new AssertionError("cache bound or acceptance violated");
            }
        }
    }

    private static OrganizationTokenVerifier verifier(LogtoTestIssuer issuer, long cacheSize) {
        return OrganizationTokenVerifier.builder().logtoEndpoint(issuer.endpoint().toString())
                .tokenCacheSize(cacheSize).nativeCrypto(true).build();
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** The verifier's package-private entry count (after Caffeine's pending maintenance). */
    static long cachedTokenCount(OrganizationTokenVerifier verifier) throws ReflectiveOperationException {
        Method m = OrganizationTokenVerifier.class.getDeclaredMethod("cachedTokenCount");
        m.setAccessible(true);
        return (long) m.invoke(verifier);
    }
}
