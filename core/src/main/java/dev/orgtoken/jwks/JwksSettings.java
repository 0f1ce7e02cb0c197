package dev.orgtoken.jwks;

import dev.orgtoken.jws.Algorithm;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * Everything a {@link JwksCache} needs, already validated by the verifier's builder.
 *
 * @param jwksUri where the key set lives
 * @param httpClient the client to fetch with, or null to build one with {@code connectTimeout}
 * @param connectTimeout TCP/TLS connect timeout
 * @param requestTimeout the whole exchange's timeout, and the longest a request waits for keys
 * @param maxResponseBytes the largest body accepted
 * @param ttl how long a fetched set is fresh when the server gives no usable max-age
 * @param refreshCooldown the least time between two refreshes forced by unknown kids or failures
 * @param staleFor how long after it stops being fresh a set is still used while refreshes fail
 * @param allowedAlgorithms keys that fit none of these are skipped
 * @param clock the time source
 */
public record JwksSettings(
        URI jwksUri,
        HttpClient httpClient,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxResponseBytes,
        Duration ttl,
        Duration refreshCooldown,
        Duration staleFor,
        Set<Algorithm> allowedAlgorithms,
        Clock clock) {

    /** A server's {@code max-age} is honoured only inside this range. */
    public static final Duration MIN_MAX_AGE = Duration.ofMinutes(1);

    /** A server's {@code max-age} is honoured only inside this range. */
    public static final Duration MAX_MAX_AGE = Duration.ofHours(24);
}
