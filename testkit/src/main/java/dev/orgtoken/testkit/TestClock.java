package dev.orgtoken.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A clock a test sets and moves, forward or back, shared by an issuer and the code under test so
 * that time moves for tokens, keys and caches together. Always UTC; safe to read from any thread.
 *
 * <pre>{@code
 * TestClock clock = new TestClock(Instant.parse("2026-11-21T12:00:00Z"));
 * LogtoTestIssuer issuer = LogtoTestIssuer.builder().clock(clock).build();
 * // ... verifier built with .clock(clock)
 * clock.advance(Duration.ofHours(2));   // every token the issuer minted has now expired
 * }</pre>
 */
public final class TestClock extends Clock {
    private volatile Instant now;

    /**
     * A clock standing at {@code start}.
     *
     * @param start the first instant it reads
     */
    public TestClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    /**
     * Moves the clock to an instant, earlier or later.
     *
     * @param instant the new time
     */
    public void set(Instant instant) {
        this.now = Objects.requireNonNull(instant, "instant");
    }

    /**
     * Moves the clock by a duration (negative moves it back).
     *
     * @param duration how far
     */
    public void advance(Duration duration) {
        this.now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
