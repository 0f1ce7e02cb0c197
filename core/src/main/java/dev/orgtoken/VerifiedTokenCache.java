package dev.orgtoken;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Security;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * Remembers tokens whose signature, issuer, type and structure already passed, so a client that
 * reuses its access token (Logto's last an hour) pays for ECDSA once, not on every request.
 *
 * <p>Keyed by the SHA-256 of the token, so the heap holds no bearer tokens and an entry costs a
 * fixed-size key. An entry expires no later than the token's {@code exp} plus the clock skew, and
 * is dropped when its signing key leaves the JWKS. Time checks and the call's requirements still
 * run on every hit: the cache never answers "accepted", only "authentic".
 */
final class VerifiedTokenCache {
    /** The SHA-256 of a token as four longs: cheap equals/hashCode, 32 bytes of key material. */
    record Digest(long a, long b, long c, long d) {}

    private static final ThreadLocal<MessageDigest> SHA256 = new ThreadLocal<>();
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final Cache<Digest, VerifiedToken> cache;

    VerifiedTokenCache(long maximumSize, Clock clock, Duration clockSkew) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                // Maintenance (draining the read buffer every few hits, evicting) runs on the calling
                // thread. Caffeine's default hands it to ForkJoinPool.commonPool(): on a hot warm path
                // that is a thread wake-up every few requests, which costs more than the work itself,
                // and a container's request threads should not feed a JVM-wide pool.
                .executor(Runnable::run)
                .expireAfter(new Expiry<Digest, VerifiedToken>() {
                    @Override
                    public long expireAfterCreate(Digest key, VerifiedToken token, long currentTime) {
                        long seconds = token.expiresAtSecond() + clockSkew.toSeconds() - clock.instant().getEpochSecond();
                        return seconds <= 0 ? 0 : Duration.ofSeconds(Math.min(seconds, 365L * 24 * 3600)).toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(Digest key, VerifiedToken token, long currentTime, long currentDuration) {
                        return currentDuration;
                    }

                    @Override
                    public long expireAfterRead(Digest key, VerifiedToken token, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    /**
     * The cache key of a token: SHA-256 over its Latin-1 bytes.
     *
     * <p>Safe to compute before the alphabet check, and to trust on a hit without one: every cached
     * token passed that check, so its bytes are base64url and dots, never {@code '?'}. Latin-1
     * maps each char up to U+00FF to itself and anything above to {@code '?'}, so a string whose
     * bytes equal a cached token's is that token, char for char.
     *
     * <p>The {@link MessageDigest} is per thread (the JDK's own {@code SUN} implementation, so no
     * class-loader leak in a container): looking one up per call costs about as much as hashing a
     * token.
     */
    static Digest digest(String token) {
        MessageDigest sha256 = SHA256.get();
        if (sha256 == null) {
            try {
                // The JDK's own implementation where there is one: a provider from the application's
                // class path (installed first by, say, ACCP's install()) would make this per-thread
                // value pin the web application's class loader after an undeploy.
                sha256 = Security.getProvider("SUN") != null ? MessageDigest.getInstance("SHA-256", "SUN")
                        : MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
                throw new IllegalStateException("SHA-256 is required by every Java platform", e);
            }
            SHA256.set(sha256);
        }
        byte[] h = sha256.digest(token.getBytes(StandardCharsets.ISO_8859_1)); // digest() also resets it
        return new Digest((long) LONGS.get(h, 0), (long) LONGS.get(h, 8), (long) LONGS.get(h, 16),
                (long) LONGS.get(h, 24));
    }

    VerifiedToken get(Digest digest) {
        return cache.getIfPresent(digest);
    }

    void put(Digest digest, VerifiedToken token) {
        cache.put(digest, token);
    }

    /** Drops the tokens one tenant's removed keys verified; another tenant's key may share a kid. */
    void dropKeys(String tenant, Set<String> keyIds) {
        cache.asMap().values().removeIf(t -> t.tenant().equals(tenant) && keyIds.contains(t.keyId()));
    }

    long estimatedSize() {
        return cache.estimatedSize();
    }

    void cleanUp() {
        cache.cleanUp();
    }
}
