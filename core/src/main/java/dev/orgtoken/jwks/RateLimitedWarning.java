package dev.orgtoken.jwks;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Internal (public for the verifier in {@code dev.orgtoken}): logs a WARN at most once per interval, counting what it held back, so an outage produces a
 * steady trickle of evidence instead of a flood.
 */
public final class RateLimitedWarning {
    private final Logger log;
    private final Clock clock;
    private final long intervalMillis;
    private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    /**
     * @param log where the warnings go
     * @param clock the clock that decides when the next warning may be logged
     * @param interval the least time between two logged warnings
     */
    public RateLimitedWarning(Logger log, Clock clock, Duration interval) {
        this.log = log;
        this.clock = clock;
        this.intervalMillis = interval.toMillis();
    }

    /**
     * Logs this warning if the interval has passed since the last one, else counts it as suppressed.
     *
     * @param format an SLF4J message format; never put a token, key or secret in it
     * @param args the format's arguments
     */
    public void warn(String format, Object... args) {
        long now = clock.millis();
        long next = nextAllowed.get();
        if (now >= next && nextAllowed.compareAndSet(next, now + intervalMillis)) {
            long held = suppressed.getAndSet(0);
            log.warn(held == 0 ? format : format + " (" + held + " similar warnings suppressed)", args);
        } else {
            suppressed.incrementAndGet();
        }
    }
}
