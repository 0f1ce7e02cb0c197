package dev.orgtoken;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link VerifierMetrics} as in-memory counters: read them from a health endpoint, a JMX bean or
 * a test. Thread-safe and contention-friendly ({@link LongAdder}).
 */
public final class VerifierCounters implements VerifierMetrics {
    private final LongAdder accepted = new LongAdder();
    private final Map<RejectionReason, LongAdder> rejected = new EnumMap<>(RejectionReason.class);
    private final LongAdder jwksFetched = new LongAdder();
    private final LongAdder jwksNotModified = new LongAdder();
    private final LongAdder jwksFetchFailed = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();

    /** Creates counters at zero. */
    public VerifierCounters() {
        for (RejectionReason r : RejectionReason.values()) {
            rejected.put(r, new LongAdder());
        }
    }

    @Override
    public void accepted() {
        accepted.increment();
    }

    @Override
    public void rejected(RejectionReason reason) {
        rejected.get(reason).increment();
    }

    @Override
    public void jwksFetched() {
        jwksFetched.increment();
    }

    @Override
    public void jwksNotModified() {
        jwksNotModified.increment();
    }

    @Override
    public void jwksFetchFailed() {
        jwksFetchFailed.increment();
    }

    @Override
    public void tokenCacheHit() {
        cacheHits.increment();
    }

    @Override
    public void tokenCacheMiss() {
        cacheMisses.increment();
    }

    /** @return tokens accepted */
    public long acceptedCount() {
        return accepted.sum();
    }

    /**
     * @param reason a reason
     * @return refusals for that reason
     */
    public long rejectedCount(RejectionReason reason) {
        return rejected.get(reason).sum();
    }

    /** @return refusals for any reason */
    public long rejectedCount() {
        return rejected.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** @return JWKS fetches that returned a usable set */
    public long jwksFetchedCount() {
        return jwksFetched.sum();
    }

    /** @return JWKS fetches answered 304 */
    public long jwksNotModifiedCount() {
        return jwksNotModified.sum();
    }

    /** @return JWKS fetches that failed */
    public long jwksFetchFailedCount() {
        return jwksFetchFailed.sum();
    }

    /** @return verified-token cache hits */
    public long tokenCacheHitCount() {
        return cacheHits.sum();
    }

    /** @return verified-token cache misses */
    public long tokenCacheMissCount() {
        return cacheMisses.sum();
    }

    @Override
    public String toString() {
        return "VerifierCounters[accepted=" + acceptedCount() + ", rejected=" + rejectedCount()
                + ", jwksFetched=" + jwksFetchedCount() + ", jwksNotModified=" + jwksNotModifiedCount()
                + ", jwksFetchFailed=" + jwksFetchFailedCount() + ", cacheHits=" + tokenCacheHitCount()
                + ", cacheMisses=" + tokenCacheMissCount() + "]";
    }
}
