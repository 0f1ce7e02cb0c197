package dev.orgtoken.servlet;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link FilterMetrics} as in-memory counters, one per {@link RequestRefusal}. A filter that builds
 * its own verifier publishes one as the servlet-context attribute
 * {@link OrganizationTokenFilter#FILTER_COUNTERS_ATTRIBUTE}. Thread-safe.
 */
public final class FilterCounters implements FilterMetrics {
    private final Map<RequestRefusal, LongAdder> refused = new EnumMap<>(RequestRefusal.class);
    private final LongAdder preflightsPassed = new LongAdder();

    /** Creates counters at zero. */
    public FilterCounters() {
        for (RequestRefusal r : RequestRefusal.values()) {
            refused.put(r, new LongAdder());
        }
    }

    @Override
    public void refused(RequestRefusal reason) {
        refused.get(reason).increment();
    }

    @Override
    public void preflightPassed() {
        preflightsPassed.increment();
    }

    /** @return how many CORS preflights the filter handed on ({@code cors-preflight: pass}) */
    public long preflightPassedCount() {
        return preflightsPassed.sum();
    }

    /**
     * @param reason a reason
     * @return how many requests were refused for it
     */
    public long refusedCount(RequestRefusal reason) {
        return refused.get(reason).sum();
    }

    /** @return how many requests the filter refused itself, for any reason */
    public long refusedCount() {
        return refused.values().stream().mapToLong(LongAdder::sum).sum();
    }

    @Override
    public String toString() {
        return "FilterCounters" + refused + ", preflightsPassed=" + preflightsPassed;
    }
}
