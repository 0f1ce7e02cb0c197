package dev.orgtoken.jwks;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's key set, fetched lazily, kept fresh in the background, and looked up by kid.
 *
 * <p>Rules, in the order a lookup meets them:
 * <ul>
 *   <li>Nothing usable cached (first use, or the stale period ran out): fetch now and wait at
 *       most the request timeout. No answer means {@linkplain KeyLookupException.Reason#KEYS_UNAVAILABLE
 *       keys unavailable}.</li>
 *   <li>Known kid: answer from memory. If the set is past its TTL a background refresh is started;
 *       the request does not wait for it. No I/O happens on this path.</li>
 *   <li>Unknown kid: join a refresh already in flight, or start one if the cooldown allows, and
 *       wait at most the request timeout. A flood of random kids therefore costs at most one
 *       fetch per cooldown, and N concurrent requests for a new key cost one fetch.</li>
 * </ul>
 * A successful fetch replaces the set entirely: a key that disappears is untrusted at once, and a
 * well-formed set with no usable key at all (the issuer withdrew its last key, or rotated to a key
 * type the allow-list refuses) untrusts every key. A failed fetch (no answer, a status other than
 * 200 or 304, a body that is not a key set or is too large) keeps the last good set until
 * {@code staleFor} after it went stale.
 * Conditional requests ({@code If-None-Match}) make the periodic refresh cheap; a 304 extends the
 * TTL. A server {@code max-age} counts only inside [1 min, 24 h], so Logto's {@code max-age=0}
 * never causes a fetch per request. The HTTP exchange itself is {@link JwksClient}'s; this class is
 * the refresh state machine around it.
 */
public final class JwksCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JwksCache.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final JwksSettings settings;
    private final JwksListener listener;
    private final JwksClient client;
    private final ScheduledExecutorService scheduler;
    private final RateLimitedWarning warning;

    private volatile KeySet current;
    private final AtomicReference<CompletableFuture<KeySet>> inFlight = new AtomicReference<>();
    private final Object refreshStart = new Object();
    private final AtomicLong nextForcedRefreshAllowedAt = new AtomicLong(Long.MIN_VALUE);
    private volatile long lastFailureAt = Long.MIN_VALUE;
    private volatile ScheduledFuture<?> nextRefresh;
    private volatile boolean closed;
    /**
     * Runs where a lookup has read the key set but not yet decided whether to fetch: the place the
     * single-flight race happened. A no-op; {@code JwksSingleFlightTest} holds a thread here to
     * replay that interleaving deterministically.
     */
    volatile Runnable beforeRefreshDecision = () -> { };

    /**
     * @param settings validated settings
     * @param listener told about fetches, failures and removed keys
     */
    public JwksCache(JwksSettings settings, JwksListener listener) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        int id = INSTANCES.incrementAndGet();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("orgtoken-jwks-refresh-" + id));
        this.client = new JwksClient(settings, listener, "orgtoken-jwks-http-" + id);
        this.warning = new RateLimitedWarning(LOG, settings.clock(), Duration.ofMinutes(1));
    }

    /**
     * The key for a kid, following the rules in the class comment.
     *
     * @param kid the token's {@code kid}
     * @return the key
     * @throws KeyLookupException when no key set is available, or the set lacks this kid
     */
    public VerificationKey keyFor(String kid) throws KeyLookupException {
        Instant now = settings.clock().instant();
        KeySet seen = current;
        KeySet set = usable(seen, now);
        if (set == null) {
            set = awaitRefresh(seen, now, true);
            if (set == null) {
                throw new KeyLookupException(KeyLookupException.Reason.KEYS_UNAVAILABLE, "signing keys are unavailable");
            }
        }
        VerificationKey key = set.keys().get(kid);
        if (key != null) {
            if (now.isAfter(set.freshUntil())) {
                refreshInBackground();
            }
            return key;
        }
        KeySet refreshed = awaitRefresh(set, now, false);
        if (refreshed != null && (key = refreshed.keys().get(kid)) != null) {
            return key;
        }
        throw new KeyLookupException(KeyLookupException.Reason.UNKNOWN_KEY, "token signing key is unknown");
    }

    /**
     * Fetches the key set now, waiting at most the request timeout. Optional: lookups fetch
     * lazily, so start-up never depends on the issuer being up.
     *
     * @return true when a usable key set is cached afterwards
     */
    public boolean warmUp() {
        KeySet set = usable(current, settings.clock().instant());
        if (set == null && !closed) {
            set = await(refresh());
        }
        return set != null && !set.keys().isEmpty();
    }

    /** @return the kids trusted right now (empty before the first successful fetch) */
    public Set<String> trustedKeyIds() {
        KeySet set = current;
        return set == null ? Set.of() : set.keys().keySet();
    }

    /**
     * Whether this very key is still trusted: its kid is in the current set and names the same
     * material. A kid that now names another key is not trusted (a rotation can reuse a kid).
     *
     * @param key a key this cache handed out
     * @return true while the current set holds it
     */
    public boolean stillTrusts(VerificationKey key) {
        KeySet set = current;
        VerificationKey now = set == null ? null : set.keys().get(key.keyId());
        return now != null && now.sameKeyAs(key);
    }

    /**
     * Whether the key set may still be used at this time: the verified-token cache asks on every
     * hit, so a cached token is refused like any other once the stale period has run out.
     *
     * @param epochMillis the time
     * @return false before the first fetch and after the stale period
     */
    public boolean usableAt(long epochMillis) {
        KeySet set = current;
        return set != null && epochMillis <= set.usableUntil().toEpochMilli();
    }

    /** Stops background refreshes. Lookups after close answer from memory only. */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        client.close();
    }

    private KeySet usable(KeySet set, Instant now) {
        return set != null && !now.isAfter(set.usableUntil()) ? set : null;
    }

    /**
     * Joins the refresh in flight, or starts one when allowed, and waits for it.
     *
     * <p>Deciding and starting happen under {@link #refreshStart}: otherwise a request that finds no
     * fetch in flight while another has just claimed the cooldown (but not yet started its fetch),
     * or that looked at the set just before a fetch completed, would give up with the old set and
     * refuse a token whose key is being (or has just been) fetched. When no new fetch is allowed,
     * the answer is the latest set, which may already hold the key.
     *
     * <p>The caller's snapshot is compared with the current set inside the lock: a fetch that
     * completed after the caller looked has already cleared {@link #inFlight}, and without the
     * comparison the caller would start a second fetch for keys that just arrived (32 concurrent
     * first requests made 3 fetches on a loaded machine; outside review, finding 4; reproduced by
     * {@code JwksSingleFlightTest}).
     *
     * @param seen the set the caller looked at (null when there was none)
     * @param nothingUsable true when there is no usable set at all: then a recent failure (within
     *     the cooldown) is answered at once instead of hammering a down issuer from every request
     */
    private KeySet awaitRefresh(KeySet seen, Instant now, boolean nothingUsable) {
        beforeRefreshDecision.run();
        CompletableFuture<KeySet> running;
        synchronized (refreshStart) {
            running = inFlight.get();
            if (running == null) {
                if (current != seen) {
                    // Another fetch finished since the caller looked: its answer is as fresh as ours would be.
                    return usable(current, now);
                }
                if (closed) {
                    // After close() lookups answer from memory only, even with a supplied HttpClient.
                    return usable(current, now);
                }
                long nowMillis = now.toEpochMilli();
                boolean allowed = nothingUsable
                        ? lastFailureAt == Long.MIN_VALUE
                                || nowMillis >= lastFailureAt + settings.refreshCooldown().toMillis()
                        : claimForcedRefresh(nowMillis);
                if (!allowed) {
                    return usable(current, now);
                }
                running = refresh();
            }
        }
        return await(running);
    }

    private boolean claimForcedRefresh(long nowMillis) {
        long allowedAt = nextForcedRefreshAllowedAt.get();
        return nowMillis >= allowedAt
                && nextForcedRefreshAllowedAt.compareAndSet(allowedAt, nowMillis + settings.refreshCooldown().toMillis());
    }

    private KeySet await(CompletableFuture<KeySet> future) {
        try {
            return future.get(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Reported by the fetch itself; the caller falls back to what is cached.
        }
        return usable(current, settings.clock().instant());
    }

    /** Called on the request path: never while a fetch runs, nor within the cooldown after a failure. */
    private void refreshInBackground() {
        long failedAt = lastFailureAt;
        if (closed || inFlight.get() != null
                || (failedAt != Long.MIN_VALUE
                        && settings.clock().millis() < failedAt + settings.refreshCooldown().toMillis())) {
            return;
        }
        refresh();
    }

    private void scheduledRefresh() {
        if (!closed) {
            refresh();
        }
    }

    /** Starts a fetch unless one is already running (single flight), and returns it. */
    private CompletableFuture<KeySet> refresh() {
        while (true) {
            CompletableFuture<KeySet> running = inFlight.get();
            if (running != null) {
                return running;
            }
            CompletableFuture<KeySet> mine = new CompletableFuture<>();
            if (inFlight.compareAndSet(null, mine)) {
                CompletableFuture<KeySet> fetch;
                try {
                    fetch = client.fetch(current);
                } catch (RuntimeException e) {
                    // Never leave inFlight set: that would stop every refresh for good.
                    fetch = CompletableFuture.failedFuture(e);
                }
                fetch.whenComplete((set, failure) -> finish(mine, set, failure));
                return mine;
            }
        }
    }

    private void finish(CompletableFuture<KeySet> mine, KeySet set, Throwable failure) {
        Instant now = settings.clock().instant();
        if (failure == null) {
            lastFailureAt = Long.MIN_VALUE;
            install(set);
            schedule(Duration.between(now, set.freshUntil()).multipliedBy(4).dividedBy(5));
        } else {
            lastFailureAt = now.toEpochMilli();
            listener.fetchFailed();
            KeySet stale = current;
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (stale != null && !now.isAfter(stale.usableUntil())) {
                warning.warn("JWKS refresh from {} failed ({}); still trusting the last good key set until {}",
                        settings.jwksUri(), JwksClient.describe(cause), stale.usableUntil());
            } else {
                warning.warn("JWKS fetch from {} failed ({}); no usable keys: tokens are refused as keys-unavailable",
                        settings.jwksUri(), JwksClient.describe(cause));
            }
            schedule(settings.refreshCooldown());
        }
        // Clear before completing so a waiter that looks again sees the new state, not the old future.
        inFlight.compareAndSet(mine, null);
        if (failure == null) {
            mine.complete(set);
        } else {
            mine.completeExceptionally(failure);
        }
    }

    private void install(KeySet next) {
        KeySet previous = current;
        current = next;
        if (next.keys().isEmpty() && (previous == null || !previous.keys().isEmpty())) {
            warning.warn("JWKS from {} holds no usable key; every token is refused until it does",
                    settings.jwksUri());
        }
        if (previous == null || previous.keys() == next.keys()) {
            return;
        }
        Set<String> untrusted = new HashSet<>();
        previous.keys().forEach((kid, key) -> {
            VerificationKey replacement = next.keys().get(kid);
            if (replacement == null || !replacement.sameKeyAs(key)) {
                untrusted.add(kid);
            }
        });
        if (!untrusted.isEmpty()) {
            LOG.info("JWKS from {} no longer trusts kid(s) {}", settings.jwksUri(), untrusted);
            listener.keysRemoved(Set.copyOf(untrusted));
        }
    }

    private void schedule(Duration delay) {
        if (closed) {
            return;
        }
        ScheduledFuture<?> previous = nextRefresh;
        if (previous != null) {
            previous.cancel(false);
        }
        long millis = Math.max(delay.toMillis(), 1_000);
        try {
            nextRefresh = scheduler.schedule(this::scheduledRefresh, millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closed concurrently.
        }
    }

    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
