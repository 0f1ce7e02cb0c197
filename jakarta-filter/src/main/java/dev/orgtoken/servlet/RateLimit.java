package dev.orgtoken.servlet;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many log lines may be written now: a token bucket of {@code lines} per {@code period}, refilled
 * continuously, counting what it held back, so a flood of requests cannot fill a disk with log lines.
 * Lock-free; a line is either taken or counted as suppressed. The clock is a parameter, so tests
 * move time instead of waiting.
 */
final class RateLimit {
    private final Clock clock;
    private final long nanosPerLine;
    private final long burstNanos;
    /** The time (in nanoseconds of the clock) at which the bucket would be empty; tokens = (now - this) / nanosPerLine. */
    private final AtomicLong emptyAt;
    private final AtomicLong suppressed = new AtomicLong();

    RateLimit(Clock clock, int lines, java.time.Duration period) {
        if (lines < 1) {
            throw new IllegalArgumentException("linesPerSecond must be at least 1, was " + lines);
        }
        this.clock = clock;
        this.nanosPerLine = Math.max(1, period.toNanos() / lines);
        this.burstNanos = nanosPerLine * lines;   // one period's worth
        this.emptyAt = new AtomicLong(now() - burstNanos);
    }

    private long now() {
        java.time.Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /** @return true when a line may be written now; false when it was counted as suppressed */
    boolean tryTake() {
        long now = now();
        while (true) {
            long empty = emptyAt.get();
            long start = Math.max(empty, now - burstNanos);
            long next = start + nanosPerLine;
            if (next > now) {
                suppressed.incrementAndGet();
                return false;
            }
            if (emptyAt.compareAndSet(empty, next)) {
                return true;
            }
        }
    }

    /** @return how many lines were held back since the last call, and resets the count */
    long takeSuppressed() {
        return suppressed.getAndSet(0);
    }
}
