package dev.orgtoken;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 * <p>Looked up by the SHA-256 of the token's signature segment, then confirmed by comparing the
 * rest of the token ({@code header.payload}) with the copy the entry keeps. Hashing only the
 * signature (128 characters for ES384) instead of the whole token (about 700) was most of the
 * warm path's cost. The heap keeps {@code header.payload} (the claims, which the entry holds anyway)
 * and a digest of the signature, never a whole bearer token: without its signature a token is no
 * credential. An entry expires no later than the token's {@code exp} plus the clock skew, and is
 * dropped when its signing key leaves the JWKS. Time checks and the call's requirements still run
 * on every hit: the cache never answers "accepted", only "authentic".
 */
final class VerifiedTokenCache {
    /** The SHA-256 of a signature segment as four longs: cheap equals/hashCode, 32 bytes of key material. */
    record Digest(long a, long b, long c, long d) {}

    /** A verified token and the {@code header.payload} it was verified with. */
    private record Entry(VerifiedToken token, String headerAndPayload) {}

    /**
     * Per-thread scratch: the JDK's own SHA-256 ({@code SUN}, so no class-loader leak in a
     * container) and buffers, so a lookup allocates nothing but its key.
     */
    private static final class Hasher {
        final MessageDigest sha256;
        byte[] in = new byte[512];
        final byte[] out = new byte[32];

        Hasher() {
            try {
                // The JDK's own implementation where there is one: a provider from the application's
                // class path (installed first by, say, ACCP's install()) would make this per-thread
                // value pin the web application's class loader after an undeploy.
                sha256 = Security.getProvider("SUN") != null ? MessageDigest.getInstance("SHA-256", "SUN")
                        : MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
                throw new IllegalStateException("SHA-256 is required by every Java platform", e);
            }
        }
    }

    private static final ThreadLocal<Hasher> HASHERS = ThreadLocal.withInitial(Hasher::new);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final Cache<Digest, Entry> cache;

    VerifiedTokenCache(long maximumSize, Clock clock, Duration clockSkew) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                // Maintenance (draining the read buffer every few hits, evicting) runs on the calling
                // thread. Caffeine's default hands it to ForkJoinPool.commonPool(): on a hot warm path
                // that is a thread wake-up every few requests, which costs more than the work itself,
                // and a container's request threads should not feed a JVM-wide pool.
                .executor(Runnable::run)
                .expireAfter(new Expiry<Digest, Entry>() {
                    @Override
                    public long expireAfterCreate(Digest key, Entry entry, long currentTime) {
                        long seconds = entry.token().expiresAtSecond() + clockSkew.toSeconds()
                                - clock.instant().getEpochSecond();
                        return seconds <= 0 ? 0 : Duration.ofSeconds(Math.min(seconds, 365L * 24 * 3600)).toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(Digest key, Entry entry, long currentTime, long currentDuration) {
                        return currentDuration;
                    }

                    @Override
                    public long expireAfterRead(Digest key, Entry entry, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    /**
     * The verified token that {@code text[start..]} is, char for char, or null.
     *
     * <p>Safe before the alphabet check: a signature segment with any character above U+007F is
     * never looked up (every cached token is base64url and dots), and the rest of the token is
     * compared exactly, so a hit is the very string that passed every check.
     */
    VerifiedToken get(String text, int start) {
        int signature = text.lastIndexOf('.') + 1;
        if (signature <= start) {
            return null;
        }
        Digest digest = digest(text, signature, text.length());
        if (digest == null) {
            return null;
        }
        Entry entry = cache.getIfPresent(digest);
        if (entry == null) {
            return null;
        }
        String stored = entry.headerAndPayload();
        int length = signature - 1 - start;
        return length == stored.length() && text.regionMatches(start, stored, 0, length) ? entry.token() : null;
    }

    /** Remembers a token that passed every check; {@code token} is exactly the verified text. */
    void put(String token, VerifiedToken verified) {
        int signature = token.lastIndexOf('.') + 1;
        Digest digest = digest(token, signature, token.length());
        if (digest != null) {
            cache.put(digest, new Entry(verified, token.substring(0, signature - 1)));
        }
    }

    /** SHA-256 of {@code text[from, to)} as Latin-1 bytes; null when a character is not ASCII. */
    static Digest digest(String text, int from, int to) {
        Hasher h = HASHERS.get();
        int length = to - from;
        if (h.in.length < length) {
            h.in = new byte[Math.max(length, h.in.length * 2)];
        }
        byte[] in = h.in;
        int seen = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(from + i);
            seen |= c;
            in[i] = (byte) c;
        }
        if (seen > 0x7f) {
            return null;
        }
        h.sha256.update(in, 0, length);
        try {
            h.sha256.digest(h.out, 0, 32);   // also resets it
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("SHA-256 output is 32 bytes", e);
        }
        byte[] out = h.out;
        return new Digest((long) LONGS.get(out, 0), (long) LONGS.get(out, 8), (long) LONGS.get(out, 16),
                (long) LONGS.get(out, 24));
    }

    void dropKeys(Set<String> keyIds) {
        cache.asMap().values().removeIf(e -> keyIds.contains(e.token().keyId()));
    }

    long estimatedSize() {
        return cache.estimatedSize();
    }

    void cleanUp() {
        cache.cleanUp();
    }
}
