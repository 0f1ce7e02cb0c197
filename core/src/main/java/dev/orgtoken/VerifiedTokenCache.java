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
import java.util.Arrays;
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
    record Digest(long a, long b, long c, long d) {
        // Written out: a record's generated equals and hashCode go through method handles that the
        // JIT did not always inline here (WarmVerify profile), and the key is compared on every hit.
        @Override
        public boolean equals(Object o) {
            return o instanceof Digest x && a == x.a && b == x.b && c == x.c && d == x.d;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(a);   // already uniformly distributed: it is a SHA-256 output
        }
    }

    /** A verified token and the {@code header.payload} it was verified with. */
    private record Entry(VerifiedToken token, String headerAndPayload) {}

    /**
     * Per-thread scratch, of JDK types only (the JDK's own SHA-256, {@code SUN}, and a byte array):
     * a value of one of our classes would keep a web application's class loader alive in the
     * container's threads after an undeploy. Looking one up per call costs less than hashing.
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(VerifiedTokenCache::sha256);
    /** Bytes 0 to 31: the digest; from 32: the signature segment being hashed (zeroed after use). */
    static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[32 + 512]);
    /** The signature segment's characters, copied in bulk (zeroed after use). */
    static final ThreadLocal<char[]> CHARS = ThreadLocal.withInitial(() -> new char[512]);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private static MessageDigest sha256() {
        try {
            // The JDK's own implementation where there is one: a provider from the application's
            // class path (installed first by, say, ACCP's install()) would pin its class loader too.
            return Security.getProvider("SUN") != null ? MessageDigest.getInstance("SHA-256", "SUN")
                    : MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

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
        int end = signature - 1;
        // String.equals is a vectorised intrinsic; regionMatches compares byte by byte on JDK 17,
        // which made a hit on a 611-character ES384 token take 1.1 us instead of 0.4 (WarmVerify,
        // BENCHMARKS.md). The copy is header.payload only, not a usable bearer token, and dies young.
        return end - start == stored.length() && stored.equals(text.substring(start, end)) ? entry.token() : null;
    }

    /** Remembers a token that passed every check; {@code token} is exactly the verified text. */
    void put(String token, VerifiedToken verified) {
        int signature = token.lastIndexOf('.') + 1;
        Digest digest = digest(token, signature, token.length());
        if (digest != null) {
            cache.put(digest, new Entry(verified, token.substring(0, signature - 1)));
        }
    }

    /**
     * SHA-256 of {@code text[from, to)} as Latin-1 bytes; null when a character is not ASCII. The
     * copy of the signature is zeroed before returning: with the {@code header.payload} an entry
     * keeps, it would be the whole bearer token, left in a heap dump.
     */
    static Digest digest(String text, int from, int to) {
        int length = to - from;
        byte[] scratch = SCRATCH.get();
        if (scratch.length < 32 + length) {
            scratch = new byte[32 + Math.max(length, scratch.length * 2)];
            SCRATCH.set(scratch);
        }
        char[] chars = CHARS.get();
        if (chars.length < length) {
            chars = new char[Math.max(length, chars.length * 2)];
            CHARS.set(chars);
        }
        // getChars is one bulk copy (an intrinsic for Latin-1 strings); a charAt loop costed a third
        // of a cache hit (WarmVerify profile). Exact for every string: no character is narrowed
        // before the ASCII check below.
        text.getChars(from, to, chars, 0);
        int seen = 0;
        for (int i = 0; i < length; i++) {
            char c = chars[i];
            seen |= c;
            scratch[32 + i] = (byte) c;
        }
        Arrays.fill(chars, 0, length, '\0');
        MessageDigest sha256 = SHA256.get();
        try {
            if (seen > 0x7f) {
                return null;
            }
            sha256.update(scratch, 32, length);
            sha256.digest(scratch, 0, 32);   // also resets it
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("SHA-256 output is 32 bytes", e);
        } finally {
            Arrays.fill(scratch, 32, 32 + length, (byte) 0);
        }
        return new Digest((long) LONGS.get(scratch, 0), (long) LONGS.get(scratch, 8), (long) LONGS.get(scratch, 16),
                (long) LONGS.get(scratch, 24));
    }

    /** Drops the tokens one tenant's removed keys verified; another tenant's key may share a kid. */
    void dropKeys(String tenant, Set<String> keyIds) {
        cache.asMap().values().removeIf(e -> e.token().tenant().equals(tenant) && keyIds.contains(e.token().keyId()));
    }

    long estimatedSize() {
        return cache.estimatedSize();
    }

    void cleanUp() {
        cache.cleanUp();
    }
}
