package dev.orgtoken;

import dev.orgtoken.net.HttpUrls;
import dev.orgtoken.jwks.JwksCache;
import dev.orgtoken.jwks.JwksListener;
import dev.orgtoken.jwks.JwksSettings;
import dev.orgtoken.jwks.KeyLookupException;
import dev.orgtoken.jwks.VerificationKey;
import dev.orgtoken.jws.Algorithm;
import dev.orgtoken.jws.CompactJws;
import dev.orgtoken.jws.JwsException;
import dev.orgtoken.jws.SignatureVerifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies Logto access tokens, organization tokens included. Build one per application, share
 * it between threads, and close it on shutdown.
 *
 * <pre>{@code
 * OrganizationTokenVerifier verifier = OrganizationTokenVerifier.builder()
 *     .logtoEndpoint("https://acme.logto.app")      // issuer <endpoint>/oidc, JWKS <endpoint>/oidc/jwks
 *     .build();
 * VerifiedToken token = verifier.verify(jwt,
 *     Requirements.audience("https://api.example.com/org").organization("o1").scopes("read:members"));
 * }</pre>
 *
 * <p>What {@link #verify} does, cheapest first, so a flood of bad tokens costs little:
 * <ol>
 *   <li>length (refused before anything else when too long), then the verified-token cache,
 *       keyed by the token's SHA-256: a hit is a token that passed every step below, and skips
 *       to step 6;</li>
 *   <li>alphabet: compact JWS only (base64url and two dots); a Logto opaque token is told so;</li>
 *   <li>header: algorithm on the allow-list, {@code typ} {@code at+jwt}, no {@code crit},
 *       {@code jwk}, {@code jku}, {@code x5u}, {@code x5c}, a {@code kid};</li>
 *   <li>claims: types, issuer (which picks the tenant), and time (an expired token never costs a
 *       signature check);</li>
 *   <li>key from that tenant's JWKS by {@code kid}, algorithm fits key, signature; then cached;</li>
 *   <li>time ({@code exp}, {@code nbf}, {@code iat} with skew), then the call's
 *       {@link Requirements}: tenant, audience, subject kind, client, actor, organization, scopes, roles.</li>
 * </ol>
 *
 * <p>Several Logto tenants ({@link Builder#tenant}): each has its own issuers, key set, key cache and
 * cooldown, and a token is routed to its tenant by its exact {@code iss} before any key is looked up.
 * Every refusal is a {@link TokenRejectedException} whose message is safe to show a client.
 */
public final class OrganizationTokenVerifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrganizationTokenVerifier.class);

    private final Set<String> issuers;
    /** Each tenant by its exact issuers: the routing table, consulted before any key lookup. */
    private final Map<String, TrustedTenant> byIssuer;
    /** Each tenant by name, in configuration order. */
    private final Map<String, TrustedTenant> byName;
    private final Clock clock;
    private final long clockSkewSeconds;
    private final int maxTokenLength;
    private final SignatureVerifier signatures;
    private final TokenClaimsReader claimsReader;
    private final VerifiedTokenCache cache;
    private final VerifierMetrics metrics;
    private final String signatureProvider;
    private final Duration retryAfter;
    private final VerificationStage stage;

    private OrganizationTokenVerifier(Builder b, List<Builder.ResolvedTenant> tenants, String signatureProvider) {
        Duration longestCooldown = Duration.ZERO;
        for (Builder.ResolvedTenant t : tenants) {
            longestCooldown = t.settings().refreshCooldown().compareTo(longestCooldown) > 0
                    ? t.settings().refreshCooldown() : longestCooldown;
        }
        this.retryAfter = Duration.ofSeconds(Math.max(1, (longestCooldown.toMillis() + 999) / 1000));
        this.stage = new VerificationStage(b.maxConcurrentVerifications > 0 ? b.maxConcurrentVerifications
                : Runtime.getRuntime().availableProcessors(), b.verificationWait, b.clock);
        this.clock = b.clock;
        this.clockSkewSeconds = b.clockSkew.toSeconds();
        this.maxTokenLength = b.maxTokenLength;
        this.metrics = b.metrics;
        this.signatureProvider = signatureProvider;
        Set<Algorithm> allowed = EnumSet.noneOf(Algorithm.class);
        b.algorithms.forEach(a -> allowed.add(a.internal()));
        this.signatures = new SignatureVerifier(allowed, b.requireAccessTokenType, signatureProvider);
        this.cache = b.tokenCacheSize > 0 ? new VerifiedTokenCache(b.tokenCacheSize, b.clock, b.clockSkew) : null;
        Map<String, TrustedTenant> names = new LinkedHashMap<>();
        Map<String, TrustedTenant> routes = new HashMap<>();
        Set<String> all = new LinkedHashSet<>();
        for (Builder.ResolvedTenant t : tenants) {
            JwksCache jwks = new JwksCache(t.settings(), listener(t.name()));
            TrustedTenant tenant = new TrustedTenant(t.name(), t.issuers(), jwks, t.rolesClaim(),
                    t.settings().refreshCooldown());
            names.put(t.name(), tenant);
            t.issuers().forEach(issuer -> routes.put(issuer, tenant));
            all.addAll(t.issuers());
        }
        this.byName = Collections.unmodifiableMap(names);
        this.byIssuer = Map.copyOf(routes);
        this.issuers = Collections.unmodifiableSet(all);
        this.claimsReader = new TokenClaimsReader(byIssuer);
    }

    /** What one tenant's key cache tells the verifier: counters, and keys whose tokens must leave the cache. */
    private JwksListener listener(String tenant) {
        return new JwksListener() {
            @Override
            public void fetched() {
                metrics.jwksFetched();
            }

            @Override
            public void notModified() {
                metrics.jwksNotModified();
            }

            @Override
            public void fetchFailed() {
                metrics.jwksFetchFailed();
            }

            @Override
            public void keysRemoved(Set<String> keyIds) {
                if (cache != null) {
                    cache.dropKeys(tenant, keyIds);   // another tenant may use the same kid for its own key
                }
            }
        };
    }

    /** @return a builder with Logto's defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Verifies a token and checks it against the requirements.
     *
     * @param token the bearer token, exactly as received (no {@code Bearer } prefix)
     * @param requirements what this call demands: audience, organization, scopes, ...
     * @return the verified token
     * @throws TokenRejectedException with a reason and a client-safe message when refused
     */
    public VerifiedToken verify(String token, Requirements requirements) throws TokenRejectedException {
        return verify(token, 0, requirements);
    }

    /**
     * Verifies the token that makes up the rest of {@code text} from {@code start}, such as the
     * value of an {@code Authorization} header after its {@code Bearer } prefix, without copying it:
     * on the warm path the filter hands the header over as it is, and only a cache miss takes the
     * token out as a string of its own.
     *
     * @param text holds the token from {@code start} to its end
     * @param start where the token starts
     * @param requirements what this call demands: audience, organization, scopes
     * @return the verified token
     * @throws TokenRejectedException with a reason and a client-safe message when refused
     */
    public VerifiedToken verify(String text, int start, Requirements requirements) throws TokenRejectedException {
        Objects.requireNonNull(requirements, "requirements");
        try {
            VerifiedToken verified = authenticate(text, start);
            checkTime(verified);
            RequirementChecks.check(verified, requirements);
            metrics.accepted();
            return verified;
        } catch (TokenRejectedException e) {
            metrics.rejected(e.reason());
            throw e;
        }
    }

    /**
     * Fetches every tenant's key set now instead of on the first request. Optional and never
     * required: start-up does not depend on the issuers being reachable.
     *
     * @return true when keys are available afterwards for every tenant
     */
    public boolean warmUp() {
        boolean all = true;
        for (TrustedTenant tenant : byName.values()) {
            all &= tenant.jwks().warmUp();
        }
        return all;
    }

    /** @return the issuers this verifier trusts, of every tenant, exactly as configured */
    public Set<String> issuers() {
        return issuers;
    }

    /**
     * The tenants this verifier trusts: the names given to {@link Builder#tenant}, or
     * {@value TenantSettings#DEFAULT_TENANT} for a verifier configured without tenants.
     *
     * @return the names, in configuration order
     */
    public Set<String> tenants() {
        return byName.keySet();
    }

    /**
     * Where a tenant's tokens carry roles ({@link Builder#rolesClaim}, or the tenant's own).
     *
     * @param tenant a tenant's name
     * @return the claim name or dotted path; empty when that tenant's roles are not read, or there is
     *     no such tenant
     */
    public Optional<String> rolesClaim(String tenant) {
        TrustedTenant t = byName.get(tenant);
        return t == null || t.rolesClaim() == null ? Optional.empty() : Optional.of(t.rolesClaim().toString());
    }

    /**
     * How long a client should wait before retrying after keys were unavailable (a 503's
     * {@code Retry-After}): the JWKS refresh cooldown (the longest of the tenants'), since no fetch
     * is tried again sooner.
     *
     * @return at least one second
     */
    public Duration retryAfter() {
        return retryAfter;
    }

    /**
     * How long a client should wait before retrying after a refusal, by its error code: the
     * {@linkplain #retryAfter() JWKS cooldown} for unavailable keys, one second for a busy
     * verification stage (it frees up in milliseconds), none otherwise.
     *
     * @param code the refusal's error code
     * @return the {@code Retry-After}, or zero when the refusal is final
     */
    public Duration retryAfter(ErrorCode code) {
        return switch (code) {
            case KEYS_UNAVAILABLE -> retryAfter;
            case VERIFICATION_BUSY -> Duration.ofSeconds(1);
            default -> Duration.ZERO;
        };
    }

    /**
     * The JCA provider signatures are verified with: the one named by
     * {@link Builder#signatureProvider}, or ACCP's when {@link Builder#nativeCrypto} took effect.
     *
     * @return the provider name, or empty when the JDK's provider order decides
     */
    public Optional<String> signatureProvider() {
        return Optional.ofNullable(signatureProvider);
    }

    /** Stops background JWKS refreshes, of every tenant. */
    @Override
    public void close() {
        byName.values().forEach(t -> t.jwks().close());
    }

    private VerifiedToken authenticate(String text, int start) throws TokenRejectedException {
        int length = text == null ? 0 : text.length() - start;
        if (length <= 0) {
            throw new TokenRejectedException(RejectionReason.MALFORMED_TOKEN, "token is empty");
        }
        if (length > maxTokenLength) {
            throw new TokenRejectedException(RejectionReason.TOKEN_TOO_LARGE, "token is too large");
        }
        if (cache != null) {
            // A hit is char for char a token that passed every check (see VerifiedTokenCache.get),
            // so the alphabet scan runs on misses only: the warm path reads the token once.
            VerifiedToken hit = cache.get(text, start);
            // A hit counts only while the key set may be used: past its stale period a cached token
            // is refused like any other (as keys unavailable), not served from memory.
            if (hit != null && byName.get(hit.tenant()).jwks().usableAt(clock.millis())) {
                metrics.tokenCacheHit();
                stage.servedFromCache();
                return hit;
            }
        }
        String token = start == 0 ? text : text.substring(start);   // a miss only: it pays for a signature anyway
        try {
            CompactJws.checkShape(token, maxTokenLength);
        } catch (JwsException e) {
            if (OpaqueToken.looksLikeOne(token)) {
                // Logto issues these when no API resource was requested; say so, rather than "malformed".
                throw new TokenRejectedException(RejectionReason.OPAQUE_TOKEN, OpaqueToken.DESCRIPTION);
            }
            throw rejection(e);
        }
        metrics.tokenCacheMiss();   // with the cache off, every call is a miss: it pays for the signature
        long coldStart = System.nanoTime();
        Verified verified = verifySignatureAndClaims(token);
        metrics.coldVerification(Duration.ofNanos(System.nanoTime() - coldStart));
        if (cache != null) {
            cache.put(token, verified.token());
            // After the put, so a refresh either sees the entry (and drops it) or is seen here. The key
            // itself, not its kid: a rotation that reuses a kid must not keep tokens of the old key.
            if (!byName.get(verified.token().tenant()).jwks().stillTrusts(verified.key())) {
                cache.dropKeys(verified.token().tenant(), Set.of(verified.key().keyId()));
            }
        }
        return verified.token();
    }

    /** A token whose signature verified, and the key that verified it. */
    private record Verified(VerifiedToken token, VerificationKey key) {}

    private Verified verifySignatureAndClaims(String token) throws TokenRejectedException {
        try {
            CompactJws jws = CompactJws.parse(token, maxTokenLength);
            Algorithm alg = signatures.checkHeader(jws);
            Map<String, Object> payload = jws.payloadObject();
            // The tenant comes from the exact iss, before any key is looked up: only that tenant's keys
            // can verify this token, and an unknown issuer costs no fetch at all.
            TrustedTenant tenant = claimsReader.tenantOf(payload);
            VerifiedToken candidate = claimsReader.read(payload, jws.keyId(), tenant);
            checkTime(candidate);
            VerificationKey key;
            try {
                key = tenant.jwks().keyFor(jws.keyId());
            } catch (KeyLookupException e) {
                throw new TokenRejectedException(switch (e.reason()) {
                    case KEYS_UNAVAILABLE -> RejectionReason.KEYS_UNAVAILABLE;
                    case UNKNOWN_KEY -> RejectionReason.UNKNOWN_KEY;
                }, e.getMessage());
            }
            VerificationKey k = key;
            stage.run(() -> {   // the only costly step: bounded, so a flood of forged tokens cannot take every CPU
                signatures.verify(jws, alg, k.publicKey(), k.declaredAlgorithm());
                return null;
            });
            return new Verified(candidate, k);
        } catch (JwsException e) {
            throw rejection(e);
        }
    }

    private void checkTime(VerifiedToken t) throws TokenRejectedException {
        long now = clock.instant().getEpochSecond();
        if (now >= t.expiresAtSecond() + clockSkewSeconds) {
            throw new TokenRejectedException(RejectionReason.EXPIRED, "token has expired");
        }
        Long nbf = t.notBeforeSecond();
        if (nbf != null && now + clockSkewSeconds < nbf) {
            throw new TokenRejectedException(RejectionReason.NOT_YET_VALID, "token is not valid yet");
        }
        Long iat = t.issuedAtSecond();
        if (iat != null && iat > now + clockSkewSeconds) {
            throw new TokenRejectedException(RejectionReason.ISSUED_IN_FUTURE, "token was issued in the future");
        }
    }

    private static TokenRejectedException rejection(JwsException e) {
        RejectionReason reason = switch (e.failure()) {
            case MALFORMED, MISSING_KEY_ID -> RejectionReason.MALFORMED_TOKEN;
            case TOO_LARGE -> RejectionReason.TOKEN_TOO_LARGE;
            case UNSUPPORTED_ALGORITHM -> RejectionReason.UNSUPPORTED_ALGORITHM;
            case UNSUPPORTED_HEADER -> RejectionReason.UNSUPPORTED_HEADER;
            case WRONG_TYPE -> RejectionReason.WRONG_TYPE;
            case KEY_MISMATCH -> RejectionReason.KEY_MISMATCH;
            case BAD_SIGNATURE -> RejectionReason.BAD_SIGNATURE;
        };
        return new TokenRejectedException(reason, e.getMessage());
    }

    long cachedTokenCount() {
        if (cache == null) {
            return 0;
        }
        cache.cleanUp();
        return cache.estimatedSize();
    }

    @Override
    public String toString() {
        return "OrganizationTokenVerifier[tenants=" + byName.keySet() + ", issuers=" + issuers + "]";
    }

    /**
     * Options for an {@link OrganizationTokenVerifier}. Each setter checks its own value when it is
     * called and throws {@link IllegalArgumentException} naming the option; {@link #build()} checks
     * only how the options fit together. Defaults follow what Logto emits; see each setter.
     */
    public static final class Builder {
        /** The largest clock skew {@link #clockSkew} accepts. */
        public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
        /** The shortest {@link #maxTokenLength}. */
        public static final int MIN_TOKEN_LENGTH = 256;
        /** The longest {@link #maxTokenLength}. */
        public static final int MAX_TOKEN_LENGTH = 1 << 20;

        /** The tenant the builder's own endpoint, issuers and JWKS URI describe, when no {@link #tenant} is named. */
        private final TenantSettings single = new TenantSettings(TenantSettings.DEFAULT_TENANT);
        private final Map<String, TenantSettings> tenants = new LinkedHashMap<>();
        private RolesClaim rolesClaim;
        private Set<JwsAlgorithm> algorithms = EnumSet.of(JwsAlgorithm.ES256, JwsAlgorithm.ES384, JwsAlgorithm.ES512,
                JwsAlgorithm.RS256);
        private boolean requireAccessTokenType = true;
        private Duration clockSkew = Duration.ofSeconds(60);
        private Clock clock = Clock.systemUTC();
        private int maxTokenLength = 16 * 1024;
        private long tokenCacheSize = 10_000;
        private Duration jwksTtl = Duration.ofMinutes(10);
        private Duration jwksRefreshCooldown = Duration.ofSeconds(30);
        private Duration jwksStaleFor = Duration.ofHours(24);
        private Duration jwksConnectTimeout = Duration.ofSeconds(2);
        private Duration jwksRequestTimeout = Duration.ofSeconds(3);
        private int jwksMaxResponseBytes = 128 * 1024;
        private boolean allowInsecureHttp;
        /** 0: the number of processors, read at build time. */
        private int maxConcurrentVerifications;
        private Duration verificationWait = Duration.ofSeconds(1);
        private HttpClient httpClient;
        private VerifierMetrics metrics = VerifierMetrics.NONE;
        private String signatureProvider;
        private Boolean nativeCrypto;

        private Builder() {}

        /**
         * The Logto endpoint, such as {@code https://acme.logto.app} or a self-hosted URL. Trusts
         * issuer {@code <endpoint>/oidc} and fetches keys from {@code <endpoint>/oidc/jwks}
         * (unless {@link #jwksUri} says otherwise).
         *
         * @param endpoint absolute http(s) URL, with or without a trailing slash
         * @return this builder
         * @throws IllegalArgumentException when it is not a valid endpoint (see {@link LogtoEndpoint})
         */
        public Builder logtoEndpoint(String endpoint) {
            return logtoEndpoint(LogtoEndpoint.of(endpoint));
        }

        /**
         * The Logto endpoint; see {@link #logtoEndpoint(String)}.
         *
         * @param endpoint the endpoint
         * @return this builder
         */
        public Builder logtoEndpoint(LogtoEndpoint endpoint) {
            single.logtoEndpoint(endpoint);
            return this;
        }

        /**
         * Trusts more issuers, compared exactly: for a tenant with a custom domain, add
         * {@code https://auth.example.com/oidc} beside the default host's issuer. Without
         * {@link #logtoEndpoint}, these are the only issuers. Calls add up.
         *
         * @param issuers exact {@code iss} values: absolute http(s) URIs
         * @return this builder
         * @throws IllegalArgumentException when one is not an absolute http(s) URI, or is given twice
         */
        public Builder issuers(String... issuers) {
            single.issuers(issuers);
            return this;
        }

        /**
         * Where to fetch the key set. Default: {@code <endpoint>/oidc/jwks}.
         *
         * @param jwksUri absolute http(s) URL
         * @return this builder
         * @throws IllegalArgumentException when it is not an absolute http(s) URL without a query
         */
        public Builder jwksUri(String jwksUri) {
            single.jwksUri(jwksUri);
            return this;
        }

        /**
         * Trusts one of several Logto tenants (a Logto Cloud tenant and a self-hosted one, or two
         * tenants during a migration), configuring it on first use and adding to it on later calls
         * with the same name. Each tenant has its own issuers, key set, key cache and refresh cooldown;
         * a token is routed to its tenant by its exact {@code iss} before any key is looked up, so a
         * key of one tenant never verifies a token that names another tenant's issuer. JWKS options a
         * tenant does not set are this builder's. With tenants, set the endpoint, issuers and JWKS URI
         * on each tenant, not on this builder (whose {@link #logtoEndpoint} means one tenant named
         * {@value TenantSettings#DEFAULT_TENANT}).
         *
         * <pre>{@code
         * .tenant("cloud", t -> t.logtoEndpoint("https://acme.logto.app"))
         * .tenant("selfhosted", t -> t.logtoEndpoint("https://auth.acme.com"))
         * }</pre>
         *
         * @param name lower-case letters, digits, {@code -} and {@code _}: what
         *     {@link VerifiedToken#tenant()} and {@link Requirements#tenants} call it
         * @param settings sets the tenant's options
         * @return this builder
         * @throws IllegalArgumentException when the name is not such a name, or a setting refuses its value
         */
        public Builder tenant(String name, Consumer<TenantSettings> settings) {
            Objects.requireNonNull(settings, "settings");
            TenantSettings tenant = tenants.computeIfAbsent(TenantSettings.checkName(name), TenantSettings::new);
            settings.accept(tenant);
            return this;
        }

        /**
         * Reads roles from this claim of every tenant's tokens (a tenant may name its own with
         * {@link TenantSettings#rolesClaim}): a claim name ({@code roles}) or a dotted path into
         * objects ({@code custom.roles}), whose value is a string (one role) or an array of strings,
         * as a tenant's custom JWT claims script writes it. A claim whose exact name is the whole
         * path wins over the path. A missing or ill-typed claim (a number, an object, an array with
         * anything but non-empty strings, more than 256 entries) is no roles: never an error, never a
         * pass. Default: roles are not read ({@link VerifiedToken#roles()} is empty).
         *
         * @param claim a claim name or dotted path
         * @return this builder
         * @throws IllegalArgumentException when blank, with whitespace, an empty segment, or deeper than 8
         */
        public Builder rolesClaim(String claim) {
            this.rolesClaim = RolesClaim.of(claim);
            return this;
        }

        /**
         * The algorithm allow-list. Default: ES256, ES384, ES512, RS256 (what Logto signs with).
         *
         * @param algorithms one or more algorithms
         * @return this builder
         * @throws IllegalArgumentException when none is given
         */
        public Builder allowedAlgorithms(JwsAlgorithm... algorithms) {
            if (algorithms.length == 0) {
                throw new IllegalArgumentException("allowedAlgorithms must not be empty (leave it out for the default)");
            }
            this.algorithms = EnumSet.copyOf(Arrays.asList(algorithms));
            return this;
        }

        /**
         * Whether header {@code typ} must be {@code at+jwt} (RFC 9068). Default: true, which also
         * refuses an ID token replayed as an access token. Turn off only for an issuer that does
         * not type its access tokens.
         *
         * @param require true to require it
         * @return this builder
         */
        public Builder requireAccessTokenType(boolean require) {
            this.requireAccessTokenType = require;
            return this;
        }

        /**
         * Tolerance for clock differences in {@code exp}, {@code nbf} and {@code iat}. Default 60 s.
         *
         * @param skew zero or more, at most {@link #MAX_CLOCK_SKEW}
         * @return this builder
         * @throws IllegalArgumentException when negative or above 5 minutes
         */
        public Builder clockSkew(Duration skew) {
            OptionChecks.notNegative("clockSkew", skew);
            if (skew.compareTo(MAX_CLOCK_SKEW) > 0) {
                throw new IllegalArgumentException("clockSkew must be at most 5m, was " + skew);
            }
            this.clockSkew = skew;
            return this;
        }

        /**
         * The time source. Default {@link Clock#systemUTC()}.
         *
         * @param clock a clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Tokens longer than this are refused before any decoding. Default 16384 characters.
         *
         * @param maxLength {@value #MIN_TOKEN_LENGTH} to {@value #MAX_TOKEN_LENGTH}
         * @return this builder
         * @throws IllegalArgumentException when out of range
         */
        public Builder maxTokenLength(int maxLength) {
            if (maxLength < MIN_TOKEN_LENGTH || maxLength > MAX_TOKEN_LENGTH) {
                throw new IllegalArgumentException("maxTokenLength must be between " + MIN_TOKEN_LENGTH + " and "
                        + MAX_TOKEN_LENGTH);
            }
            this.maxTokenLength = maxLength;
            return this;
        }

        /**
         * How many verified tokens to remember. Default 10,000; 0 turns the cache off.
         *
         * @param maximumSize entries, 0 or more
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder tokenCacheSize(long maximumSize) {
            if (maximumSize < 0) {
                throw new IllegalArgumentException("tokenCacheSize must not be negative");
            }
            this.tokenCacheSize = maximumSize;
            return this;
        }

        /**
         * How long a fetched key set is fresh when the server's {@code Cache-Control: max-age} is
         * absent or outside [1 min, 24 h]. Default 10 min. A background refresh runs ahead of it.
         *
         * @param ttl at least 1 second
         * @return this builder
         * @throws IllegalArgumentException when shorter than a second
         */
        public Builder jwksTtl(Duration ttl) {
            this.jwksTtl = OptionChecks.jwksTtl(ttl);
            return this;
        }

        /**
         * The least time between refreshes forced by an unknown {@code kid}, and between retries
         * after a failed fetch; also the {@code Retry-After} of a 503 ({@link #retryAfter()}).
         * Default 30 s.
         *
         * @param cooldown zero or more
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder jwksRefreshCooldown(Duration cooldown) {
            this.jwksRefreshCooldown = OptionChecks.notNegative("jwksRefreshCooldown", cooldown);
            return this;
        }

        /**
         * How long past its TTL the last good key set is still used while refreshes fail.
         * Default 24 h.
         *
         * @param staleFor zero or more
         * @return this builder
         * @throws IllegalArgumentException when negative
         */
        public Builder jwksStaleFor(Duration staleFor) {
            this.jwksStaleFor = OptionChecks.notNegative("jwksStaleFor", staleFor);
            return this;
        }

        /**
         * Connect timeout for JWKS fetches. Default 2 s.
         *
         * @param timeout more than zero
         * @return this builder
         * @throws IllegalArgumentException when zero or negative
         */
        public Builder jwksConnectTimeout(Duration timeout) {
            this.jwksConnectTimeout = OptionChecks.positive("jwksConnectTimeout", timeout);
            return this;
        }

        /**
         * Timeout for a whole JWKS exchange, and the longest any request waits for keys.
         * Default 3 s.
         *
         * @param timeout more than zero
         * @return this builder
         * @throws IllegalArgumentException when zero or negative
         */
        public Builder jwksRequestTimeout(Duration timeout) {
            this.jwksRequestTimeout = OptionChecks.positive("jwksRequestTimeout", timeout);
            return this;
        }

        /**
         * The largest JWKS response accepted. Default 131,072 bytes.
         *
         * @param bytes 1,024 to 16 MiB
         * @return this builder
         * @throws IllegalArgumentException when out of range
         */
        public Builder jwksMaxResponseBytes(int bytes) {
            this.jwksMaxResponseBytes = OptionChecks.jwksMaxResponseBytes(bytes);
            return this;
        }

        /**
         * Allows fetching keys over plain {@code http} from a host that is not loopback. Default
         * false: {@link #build()} refuses such a JWKS URL, because keys fetched over it can be
         * forged in transit. Loopback hosts ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]})
         * are always allowed. When allowed, {@link #build()} logs a warning.
         *
         * @param allow true to allow it
         * @return this builder
         */
        public Builder allowInsecureHttp(boolean allow) {
            this.allowInsecureHttp = allow;
            return this;
        }

        /**
         * How many signature checks may run at once. Default: the number of processors the JVM
         * may use. Tokens found in the verified-token cache never count: only new (or forged)
         * tokens pay for a signature check, so this bounds the CPU a flood of them can take.
         *
         * @param max 1 or more
         * @return this builder
         * @throws IllegalArgumentException when less than 1
         */
        public Builder maxConcurrentVerifications(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConcurrentVerifications must be at least 1, was " + max);
            }
            this.maxConcurrentVerifications = max;
            return this;
        }

        /**
         * How long a new token waits for a turn at the signature check when all are taken, before
         * it is refused with 503 and {@code Retry-After: 1} ({@link RejectionReason#VERIFICATION_BUSY}).
         * Default 1 s. Turns are first come, first served, so a new token waits behind the tokens
         * already queued (each ES384 check about 2.3 ms per processor): a burst of hundreds of new
         * tokens, or a flood of forged ones, is served in order, and only a queue longer than the wait
         * is refused. Waiting costs no CPU, but each waiting request holds a server thread: a shorter
         * wait turns a flood away sooner and holds fewer threads, and refuses more new tokens with it.
         *
         * @param wait zero (never wait) to 10 s
         * @return this builder
         * @throws IllegalArgumentException when negative or above 10 s
         */
        public Builder verificationWait(Duration wait) {
            OptionChecks.notNegative("verificationWait", wait);
            if (wait.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("verificationWait must be at most 10s, was " + wait);
            }
            this.verificationWait = wait;
            return this;
        }

        /**
         * The HTTP client for JWKS fetches, for a proxy or custom TLS. Default: a private client
         * with the connect timeout that never follows redirects. A client you supply may follow
         * redirects, but an answer from another origin is still refused.
         *
         * @param client a client
         * @return this builder
         */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * Where to report counters. Default: nowhere.
         *
         * @param metrics a metrics sink, such as {@link VerifierCounters}
         * @return this builder
         */
        public Builder metrics(VerifierMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * A JCA provider name for signature verification (for example a native provider that
         * is already installed). Default: the JDK's provider order.
         *
         * @param providerName a registered provider's name
         * @return this builder
         * @throws IllegalArgumentException when blank
         */
        public Builder signatureProvider(String providerName) {
            Objects.requireNonNull(providerName, "providerName");
            if (providerName.isBlank()) {
                throw new IllegalArgumentException("signatureProvider must not be blank");
            }
            this.signatureProvider = providerName;
            return this;
        }

        /**
         * Verifies signatures with the Amazon Corretto Crypto Provider (ACCP), a native (AWS-LC)
         * provider several times faster than the JDK for ECDSA (ES384: about 10x). ACCP is an
         * optional dependency the application adds
         * ({@code software.amazon.cryptools:AmazonCorrettoCryptoProvider}, classifier
         * {@code linux-x86_64}); it is found by reflection, appended to the end of the JVM's
         * provider list (the JVM's default order is never changed) and named for signature
         * verification only.
         *
         * <p>When ACCP is absent or its native library cannot load, one warning is logged and the
         * JDK's providers are used: this is never a failure.
         *
         * <p>Default: the system property {@code orgtoken.crypto.provider} ({@code accp} turns it
         * on, {@code jdk} or unset leaves it off), so a {@code web.xml} deployment can switch it
         * on without code. Cannot be combined with {@link #signatureProvider}.
         *
         * @param enabled true to use ACCP when it is available
         * @return this builder
         */
        public Builder nativeCrypto(boolean enabled) {
            this.nativeCrypto = enabled;
            return this;
        }

        /**
         * The tenants {@link #build()} would trust, for a configuration loader that checks what
         * refers to them (a rule accepting only some tenants).
         *
         * @return the names given to {@link #tenant}, or {@value TenantSettings#DEFAULT_TENANT} when
         *     none was given
         */
        public Set<String> tenantNames() {
            return tenants.isEmpty() ? Set.of(TenantSettings.DEFAULT_TENANT)
                    : Collections.unmodifiableSet(new LinkedHashSet<>(tenants.keySet()));
        }

        /**
         * Whether tokens of this tenant would have their roles read: its own {@link TenantSettings#rolesClaim}
         * or this builder's {@link #rolesClaim}.
         *
         * @param tenant a name from {@link #tenantNames()}
         * @return true when a roles claim applies to it
         */
        public boolean readsRoles(String tenant) {
            TenantSettings t = tenants.isEmpty() ? single : tenants.get(tenant);
            return t != null && (t.rolesClaim != null || rolesClaim != null)
                    && (!tenants.isEmpty() || TenantSettings.DEFAULT_TENANT.equals(tenant));
        }

        /**
         * Checks that the options fit together, exactly as {@link #build()} does, without building
         * anything: for a configuration loader that reports problems before start-up, and for tests.
         *
         * @return this builder
         * @throws IllegalStateException when the options are incomplete or contradict each other
         */
        public Builder validate() {
            resolvedTenants();
            if (Boolean.TRUE.equals(nativeCrypto) && signatureProvider != null) {
                throw new IllegalStateException("set either signatureProvider(...) or nativeCrypto(true), not both");
            }
            return this;
        }

        /**
         * Checks the options ({@link #validate()}) and builds the verifier. Nothing is fetched
         * here. May be called more than once; each verifier owns its caches and thread.
         *
         * @return a verifier
         * @throws IllegalStateException when the options are incomplete or contradict each other
         */
        public OrganizationTokenVerifier build() {
            validate();
            List<ResolvedTenant> resolved = resolvedTenants();
            for (ResolvedTenant t : resolved) {
                if (HttpUrls.isInsecure(t.settings().jwksUri())) {
                    LOG.warn("JWKS URI {} uses plain http (allowed by allowInsecureHttp): keys fetched over it can be"
                            + " forged in transit", t.settings().jwksUri());
                }
            }
            String provider = signatureProvider;
            if (provider == null) {
                boolean useNative = nativeCrypto != null ? nativeCrypto : NativeCrypto.requestedBySystemProperty();
                if (useNative) {
                    provider = NativeCrypto.accpProviderName(); // null: warned once, the JDK decides
                }
            }
            return new OrganizationTokenVerifier(this, resolved, provider);
        }

        /**
         * Every option and its value, in a fixed order, for logs and tests, for example
         * {@code Builder{endpoint=https://acme.logto.app, issuers=[...], jwksUri=..., clockSkew=PT1M, ...}}.
         * Names no secret: the builder holds none.
         */
        @Override
        public String toString() {
            return "Builder{endpoint=" + single.endpoint + ", issuers=" + single.extraIssuers + ", jwksUri="
                    + single.jwksUri + (tenants.isEmpty() ? "" : ", tenants=" + tenants.values())
                    + (rolesClaim == null ? "" : ", rolesClaim=" + rolesClaim) + ", algorithms=" + algorithms
                    + ", requireAccessTokenType=" + requireAccessTokenType
                    + ", clockSkew=" + clockSkew + ", maxTokenLength=" + maxTokenLength + ", tokenCacheSize="
                    + tokenCacheSize + ", jwksTtl=" + jwksTtl + ", jwksRefreshCooldown=" + jwksRefreshCooldown
                    + ", jwksStaleFor=" + jwksStaleFor + ", jwksConnectTimeout=" + jwksConnectTimeout
                    + ", jwksRequestTimeout=" + jwksRequestTimeout + ", jwksMaxResponseBytes=" + jwksMaxResponseBytes
                    + ", allowInsecureHttp=" + allowInsecureHttp + ", maxConcurrentVerifications="
                    + (maxConcurrentVerifications == 0 ? "processors" : maxConcurrentVerifications)
                    + ", verificationWait=" + verificationWait + "}";
        }

        /** A tenant with every option decided: its own, else this builder's. */
        record ResolvedTenant(String name, Set<String> issuers, JwksSettings settings, RolesClaim rolesClaim) {}

        /**
         * The tenants to build: the named ones, or the one this builder's endpoint describes. Checks
         * what only the combination can tell: an issuer and a JWKS URI for each, plain http only where
         * allowed, and no issuer or JWKS URI shared by two tenants (routing must be unambiguous, and a
         * shared key set would let one tenant's keys verify the other's tokens).
         */
        private List<ResolvedTenant> resolvedTenants() {
            if (tenants.isEmpty()) {
                return List.of(resolve(single, ""));
            }
            if (single.namesAnIssuer()) {
                throw new IllegalStateException("with tenant(...), set logtoEndpoint(...), issuers(...) and jwksUri(...)"
                        + " on each tenant, not on the builder");
            }
            List<ResolvedTenant> out = new ArrayList<>();
            Map<String, String> issuerOwners = new HashMap<>();
            Map<URI, String> jwksOwners = new HashMap<>();
            for (TenantSettings t : tenants.values()) {
                ResolvedTenant r = resolve(t, "tenant '" + t.name() + "': ");
                for (String issuer : r.issuers()) {
                    String other = issuerOwners.putIfAbsent(issuer, t.name());
                    if (other != null) {
                        throw new IllegalStateException("tenants '" + other + "' and '" + t.name() + "' both trust issuer "
                                + issuer + ": a token must name exactly one tenant");
                    }
                }
                String other = jwksOwners.putIfAbsent(r.settings().jwksUri(), t.name());
                if (other != null) {
                    throw new IllegalStateException("tenants '" + other + "' and '" + t.name() + "' share the JWKS URI "
                            + r.settings().jwksUri() + ": one Logto tenant with several issuers is one tenant(...) with"
                            + " issuers(...)");
                }
                out.add(r);
            }
            return out;
        }

        private ResolvedTenant resolve(TenantSettings t, String prefix) {
            Set<String> issuers = t.resolvedIssuers(prefix);
            URI keys = t.resolvedJwksUri(prefix);
            boolean insecureAllowed = t.allowInsecureHttp != null ? t.allowInsecureHttp : allowInsecureHttp;
            if (HttpUrls.isInsecure(keys) && !insecureAllowed) {
                throw new IllegalStateException(prefix + "the JWKS URI " + keys + " uses plain http to a host that is not"
                        + " loopback, so keys fetched over it can be forged in transit: use https, or allow it with"
                        + " allowInsecureHttp(true)");
            }
            Set<Algorithm> allowed = EnumSet.noneOf(Algorithm.class);
            algorithms.forEach(a -> allowed.add(a.internal()));
            JwksSettings settings = new JwksSettings(keys, httpClient,
                    t.jwksConnectTimeout != null ? t.jwksConnectTimeout : jwksConnectTimeout,
                    t.jwksRequestTimeout != null ? t.jwksRequestTimeout : jwksRequestTimeout,
                    t.jwksMaxResponseBytes != null ? t.jwksMaxResponseBytes : jwksMaxResponseBytes,
                    t.jwksTtl != null ? t.jwksTtl : jwksTtl,
                    t.jwksRefreshCooldown != null ? t.jwksRefreshCooldown : jwksRefreshCooldown,
                    t.jwksStaleFor != null ? t.jwksStaleFor : jwksStaleFor, allowed, clock);
            return new ResolvedTenant(t.name(), Set.copyOf(issuers), settings,
                    t.rolesClaim != null ? t.rolesClaim : rolesClaim);
        }
    }
}
