package dev.orgtoken;

import dev.orgtoken.jwks.RateLimitedWarning;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded stage every signature check passes through: at most {@code permits} at once, a
 * caller waits at most {@code maxWait} for a turn, then is refused as
 * {@link RejectionReason#VERIFICATION_BUSY} (503 with {@code Retry-After}).
 *
 * <p>Why: a forged token with a real {@code kid} and a well-formed shape costs a full signature
 * check (ES384: about 2.3 ms of CPU), a cached token about a microsecond. Without a bound, sixteen
 * connections of forged tokens took 93% of the throughput of cached traffic on the same server.
 * Cached tokens never enter this stage, so they never wait behind a flood; the flood gets at most
 * {@code permits} threads' worth of CPU, and the rest of it waits (parked, costing no CPU) or, past
 * the wait, is refused.
 *
 * <p>The queue is first come, first served, so what a legitimate new token gets during a flood is
 * predictable: it passes when fewer than {@code maxWait} / (time of one check) callers are ahead of
 * it, and is refused with 503 otherwise; its client retries after {@code Retry-After}.
 */
final class VerificationStage {
    private static final Logger LOG = LoggerFactory.getLogger(OrganizationTokenVerifier.class);

    private final Semaphore permits;
    private final long maxWaitNanos;
    private final int limit;
    private final LongAdder refused = new LongAdder();
    private final RateLimitedWarning warning;

    VerificationStage(int permits, Duration maxWait, Clock clock) {
        this.limit = permits;
        this.permits = new Semaphore(permits, true);
        this.maxWaitNanos = maxWait.toNanos();
        this.warning = new RateLimitedWarning(LOG, clock, Duration.ofMinutes(1));
    }

    /** A signature check to run inside the stage. */
    @FunctionalInterface
    interface Check<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * Runs {@code check} when a turn comes within the wait.
     *
     * @throws TokenRejectedException {@link RejectionReason#VERIFICATION_BUSY} when none does
     */
    <T, E extends Exception> T run(Check<T, E> check) throws E, TokenRejectedException {
        boolean entered;
        try {
            entered = maxWaitNanos == 0 ? permits.tryAcquire()
                    : permits.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            entered = false;
        }
        if (!entered) {
            refused.increment();
            warning.warn("signature checks are saturated ({} at once): new tokens are refused with 503 while"
                    + " it lasts, cached tokens are not affected; {} refused so far", limit, refused.sum());
            throw new TokenRejectedException(RejectionReason.VERIFICATION_BUSY, "token verification is busy");
        }
        try {
            return check.run();
        } finally {
            permits.release();
        }
    }

    /** @return how many callers were refused since the start */
    long refusedCount() {
        return refused.sum();
    }
}
