package dev.orgtoken.micrometer;

import dev.orgtoken.RejectionReason;
import dev.orgtoken.VerifierMetrics;
import dev.orgtoken.servlet.FilterMetrics;
import dev.orgtoken.servlet.RequestRefusal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * orgtoken's counters as Micrometer meters: pass one instance to the verifier
 * ({@code OrganizationTokenVerifier.Builder.metrics}) and to the filter
 * ({@code new OrganizationTokenFilter(rules, verifier, meters)}). Every meter is registered, at
 * zero, when this is constructed; the request path only increments pre-built meters.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>counts</th></tr>
 *   <tr><td>{@code orgtoken.requests}</td><td>counter</td>
 *       <td>{@code outcome=accepted}, {@code reason=none}</td><td>tokens that passed verification and the
 *       rule's requirements (each dispatch that checks a token counts once)</td></tr>
 *   <tr><td>{@code orgtoken.requests}</td><td>counter</td>
 *       <td>{@code outcome=refused}, {@code reason=<reason>}</td><td>refusals: a token reason
 *       ({@code expired}, {@code missing_scopes}, {@code keys_unavailable}, ...) or a request reason the
 *       filter decides before any token is read ({@code missing_token}, {@code no_matching_rule},
 *       {@code method_not_allowed}, ...), the enum constant in lower case</td></tr>
 *   <tr><td>{@code orgtoken.token.cache}</td><td>counter</td><td>{@code result=hit|miss}</td>
 *       <td>verified-token cache lookups</td></tr>
 *   <tr><td>{@code orgtoken.jwks.fetches}</td><td>counter</td>
 *       <td>{@code result=fetched|not_modified|failed}</td><td>key-set fetches: a usable set (200), a
 *       304, or a failure (network, status, body)</td></tr>
 *   <tr><td>{@code orgtoken.jwks.staleness}</td><td>gauge, seconds</td><td></td><td>time since the
 *       issuer last confirmed the key set (a 200 or a 304); NaN before the first confirmation. It grows
 *       past the key-set TTL only while refreshes fail: alert on it well before {@code jwks-stale-for}
 *       (24 h by default), after which tokens are refused with 503</td></tr>
 *   <tr><td>{@code orgtoken.verification.cold}</td><td>timer</td><td></td><td>tokens verified on the
 *       cold path (not in the verified-token cache), and how long each took: parse, key lookup,
 *       signature and claims</td></tr>
 * </table>
 *
 * <p>Thread-safe; every method is non-blocking.
 */
public final class OrganizationTokenMeters implements VerifierMetrics, FilterMetrics {
    /** Name of the request counter. */
    public static final String REQUESTS = "orgtoken.requests";
    /** Name of the verified-token cache counter. */
    public static final String TOKEN_CACHE = "orgtoken.token.cache";
    /** Name of the JWKS fetch counter. */
    public static final String JWKS_FETCHES = "orgtoken.jwks.fetches";
    /** Name of the key-set staleness gauge. */
    public static final String JWKS_STALENESS = "orgtoken.jwks.staleness";
    /** Name of the cold-verification timer. */
    public static final String COLD_VERIFICATION = "orgtoken.verification.cold";

    private final Clock clock;
    private final Counter accepted;
    private final Map<RejectionReason, Counter> rejected = new EnumMap<>(RejectionReason.class);
    private final Map<RequestRefusal, Counter> refused = new EnumMap<>(RequestRefusal.class);
    private final Counter cacheHits;
    private final Counter cacheMisses;
    private final Counter jwksFetched;
    private final Counter jwksNotModified;
    private final Counter jwksFailed;
    private final Timer coldVerification;
    /** Epoch millis of the last 200 or 304 from the JWKS endpoint; {@link Long#MIN_VALUE} before the first. */
    private volatile long lastConfirmedMillis = Long.MIN_VALUE;

    /**
     * Registers orgtoken's meters in a registry.
     *
     * @param registry where the meters go
     */
    public OrganizationTokenMeters(MeterRegistry registry) {
        this(registry, Tags.empty(), Clock.systemUTC());
    }

    /**
     * Registers orgtoken's meters in a registry, with common tags and a clock for the staleness gauge.
     *
     * @param registry where the meters go
     * @param tags tags added to every meter (for example the application's name), may be empty
     * @param clock the time the staleness gauge is measured with; the verifier's clock in tests
     */
    public OrganizationTokenMeters(MeterRegistry registry, Iterable<Tag> tags, Clock clock) {
        Objects.requireNonNull(registry, "registry");
        Tags common = Tags.of(Objects.requireNonNull(tags, "tags"));
        this.clock = Objects.requireNonNull(clock, "clock");
        this.accepted = requests(registry, common, "accepted", "none");
        for (RejectionReason reason : RejectionReason.values()) {
            rejected.put(reason, requests(registry, common, "refused", tagValue(reason)));
        }
        for (RequestRefusal reason : RequestRefusal.values()) {
            refused.put(reason, requests(registry, common, "refused", tagValue(reason)));
        }
        this.cacheHits = counter(registry, TOKEN_CACHE, "verified-token cache lookups", common.and("result", "hit"));
        this.cacheMisses = counter(registry, TOKEN_CACHE, "verified-token cache lookups", common.and("result", "miss"));
        String fetches = "JWKS fetches by result";
        this.jwksFetched = counter(registry, JWKS_FETCHES, fetches, common.and("result", "fetched"));
        this.jwksNotModified = counter(registry, JWKS_FETCHES, fetches, common.and("result", "not_modified"));
        this.jwksFailed = counter(registry, JWKS_FETCHES, fetches, common.and("result", "failed"));
        Gauge.builder(JWKS_STALENESS, this, OrganizationTokenMeters::stalenessSeconds)
                .description("seconds since the issuer last confirmed the key set (200 or 304)")
                .baseUnit("seconds")
                .tags(common)
                .register(registry);
        this.coldVerification = Timer.builder(COLD_VERIFICATION)
                .description("verification of tokens not in the verified-token cache")
                .tags(common)
                .register(registry);
    }

    private static Counter requests(MeterRegistry registry, Tags common, String outcome, String reason) {
        return counter(registry, REQUESTS, "tokens accepted and requests refused, by reason",
                common.and("outcome", outcome).and("reason", reason));
    }

    private static Counter counter(MeterRegistry registry, String name, String description, Tags tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private static String tagValue(Enum<?> reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    /** @return seconds since the issuer last confirmed the key set, or NaN before it first did */
    double stalenessSeconds() {
        long confirmed = lastConfirmedMillis;
        return confirmed == Long.MIN_VALUE ? Double.NaN : Math.max(0, clock.millis() - confirmed) / 1000.0;
    }

    @Override
    public void accepted() {
        accepted.increment();
    }

    @Override
    public void rejected(RejectionReason reason) {
        rejected.get(reason).increment();
    }

    @Override
    public void refused(RequestRefusal reason) {
        refused.get(reason).increment();
    }

    @Override
    public void jwksFetched() {
        lastConfirmedMillis = clock.millis();
        jwksFetched.increment();
    }

    @Override
    public void jwksNotModified() {
        lastConfirmedMillis = clock.millis();
        jwksNotModified.increment();
    }

    @Override
    public void jwksFetchFailed() {
        jwksFailed.increment();
    }

    @Override
    public void tokenCacheHit() {
        cacheHits.increment();
    }

    @Override
    public void tokenCacheMiss() {
        cacheMisses.increment();
    }

    @Override
    public void coldVerification(Duration elapsed) {
        coldVerification.record(elapsed);
    }
}
