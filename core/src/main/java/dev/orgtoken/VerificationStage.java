package dev.orgtoken;

import dev.orgtoken.jwks.RateLimitedWarning;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * <p>Bounding concurrency alone is not enough: one check always running took three quarters of a
 * core from cached traffic in the flood benchmark, because the scheduler shares a core among
 * runnable threads, not requests. So when checks are queued up (demand beyond the bound) and
 * cached tokens were served since the last check (there is traffic to protect), each check is
 * followed by a pause of {@value #PAUSE_PER_CHECK} times the CPU time it used (not its wall time,
 * which a busy machine stretches), at most {@value #MAX_PAUSE_MILLIS} ms, before its turn passes
 * on: the checks' share of a core is then at most about 1 / (1 + {@value #PAUSE_PER_CHECK}). Without
 * cached traffic, or without a queue, checks run back to back at full speed, so a burst of new
 * tokens alone is not slowed.
 *
 * <p>The queue is first come, first served, so what a legitimate new token gets during a flood is
 * predictable: it waits behind the tokens queued before it and passes when its turn comes within
 * {@code maxWait}, else it is refused with 503 and its client retries after {@code Retry-After}.
 */
final class VerificationStage {
    private static final Logger LOG = LoggerFactory.getLogger(OrganizationTokenVerifier.class);

    /**
     * A check yields this many times its own CPU time when it would otherwise starve cached traffic.
     * 4 left cached traffic 0.79 of its throughput under a forged-token flood (BENCHMARKS.md, target
     * 0.80); 8 leaves the checks about a ninth of a core per permit. The price is that legitimate new
     * tokens arriving during a flood are checked at about half the rate, still within the 1 s wait
     * at sixteen flood connections.
     */
    static final int PAUSE_PER_CHECK = 8;
    /** The longest pause after one check, whatever it cost. */
    static final long MAX_PAUSE_MILLIS = 20;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Semaphore permits;
    /**
     * Set by every cache hit that finds it clear, cleared by every check: "cached traffic was served
     * since the last check". A hit reads it (cheap, the line stays shared) and writes it only after a
     * check cleared it, so the warm path pays one volatile read.
     */
    private volatile boolean cachedTraffic;
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
        long cpuStart = cpuTime();
        try {
            return check.run();
        } finally {
            if (cachedTraffic && permits.hasQueuedThreads()) {
                // Overloaded while cached tokens are in use: yield the core before the next check.
                long used = cpuStart < 0 ? 0 : Math.max(0, cpuTime() - cpuStart);
                LockSupport.parkNanos(Math.min(PAUSE_PER_CHECK * used, TimeUnit.MILLISECONDS.toNanos(MAX_PAUSE_MILLIS)));
            }
            cachedTraffic = false;
            permits.release();
        }
    }

    /** This thread's CPU time in nanoseconds, or -1 where the JVM cannot tell (then no pause). */
    private static long cpuTime() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    /** Called on every verified-token cache hit. */
    void servedFromCache() {
        if (!cachedTraffic) {
            cachedTraffic = true;
        }
    }

    /** @return how many callers were refused since the start */
    long refusedCount() {
        return refused.sum();
    }
}
