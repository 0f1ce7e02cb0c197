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
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 *   <li>alphabet: compact JWS only (base64url and two dots);</li>
 *   <li>header: algorithm on the allow-list, {@code typ} {@code at+jwt}, no {@code crit},
 *       {@code jwk}, {@code jku}, {@code x5u}, {@code x5c}, a {@code kid};</li>
 *   <li>claims: types, issuer, and time (an expired token never costs a signature check);</li>
 *   <li>key from the JWKS by {@code kid}, algorithm fits key, signature; then cached;</li>
 *   <li>time ({@code exp}, {@code nbf}, {@code iat} with skew), then the call's
 *       {@link Requirements}: audience, organization, scopes.</li>
 * </ol>
 * Every refusal is a {@link TokenRejectedException} whose message is safe to show a client.
 */
public final class OrganizationTokenVerifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrganizationTokenVerifier.class);

    private final Set<String> issuers;
    private final Clock clock;
    private final long clockSkewSeconds;
    private final int maxTokenLength;
    private final SignatureVerifier signatures;
    private final TokenClaimsReader claimsReader;
    private final JwksCache jwks;
    private final VerifiedTokenCache cache;
    private final VerifierMetrics metrics;
    private final String signatureProvider;
    private final Duration retryAfter;

    private OrganizationTokenVerifier(Builder b, Set<String> issuers, URI jwksUri, String signatureProvider) {
        this.retryAfter = Duration.ofSeconds(Math.max(1, (b.jwksRefreshCooldown.toMillis() + 999) / 1000));
        this.issuers = Set.copyOf(issuers);
        this.clock = b.clock;
        this.clockSkewSeconds = b.clockSkew.toSeconds();
        this.maxTokenLength = b.maxTokenLength;
        this.metrics = b.metrics;
        this.signatureProvider = signatureProvider;
        Set<Algorithm> allowed = EnumSet.noneOf(Algorithm.class);
        b.algorithms.forEach(a -> allowed.add(a.internal()));
        this.signatures = new SignatureVerifier(allowed, b.requireAccessTokenType, signatureProvider);
        this.claimsReader = new TokenClaimsReader(this.issuers);
        this.cache = b.tokenCacheSize > 0 ? new VerifiedTokenCache(b.tokenCacheSize, b.clock, b.clockSkew) : null;
        JwksSettings settings = new JwksSettings(jwksUri, b.httpClient, b.jwksConnectTimeout, b.jwksRequestTimeout,
                b.jwksMaxResponseBytes, b.jwksTtl, b.jwksRefreshCooldown, b.jwksStaleFor, allowed,
                b.clock);
        this.jwks = new JwksCache(settings, new JwksListener() {
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
                    cache.dropKeys(keyIds);
                }
            }
        });
    }

    /** @return a builder with Logto's defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Verifies a token and checks it against the requirements.
     *
     * @param token the bearer token, exactly as received (no {@code Bearer } prefix)
     * @param requirements what this call demands: audience, organization, scopes
     * @return the verified token
     * @throws TokenRejectedException with a reason and a client-safe message when refused
     */
    public VerifiedToken verify(String token, Requirements requirements) throws TokenRejectedException {
        Objects.requireNonNull(requirements, "requirements");
        try {
            VerifiedToken verified = authenticate(token);
            checkTime(verified);
            checkRequirements(verified, requirements);
            metrics.accepted();
            return verified;
        } catch (TokenRejectedException e) {
            metrics.rejected(e.reason());
            throw e;
        }
    }

    /**
     * Fetches the key set now instead of on the first request. Optional and never required:
     * start-up does not depend on the issuer being reachable.
     *
     * @return true when keys are available afterwards
     */
    public boolean warmUp() {
        return jwks.warmUp();
    }

    /** @return the issuers this verifier trusts, exactly as configured */
    public Set<String> issuers() {
        return issuers;
    }

    /**
     * How long a client should wait before retrying after keys were unavailable (a 503's
     * {@code Retry-After}): the JWKS refresh cooldown, since no fetch is tried again sooner.
     *
     * @return at least one second
     */
    public Duration retryAfter() {
        return retryAfter;
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

    /** Stops background JWKS refreshes. */
    @Override
    public void close() {
        jwks.close();
    }

    private VerifiedToken authenticate(String token) throws TokenRejectedException {
        if (token == null || token.isEmpty()) {
            throw new TokenRejectedException(RejectionReason.MALFORMED_TOKEN, "token is empty");
        }
        if (token.length() > maxTokenLength) {
            throw new TokenRejectedException(RejectionReason.TOKEN_TOO_LARGE, "token is too large");
        }
        VerifiedTokenCache.Digest digest = null;
        if (cache != null) {
            // A hit is char for char a token that passed every check (see VerifiedTokenCache.digest),
            // so the alphabet scan runs on misses only: the warm path reads the token once.
            digest = VerifiedTokenCache.digest(token);
            VerifiedToken hit = cache.get(digest);
            if (hit != null) {
                metrics.tokenCacheHit();
                return hit;
            }
        }
        try {
            CompactJws.checkShape(token, maxTokenLength);
        } catch (JwsException e) {
            throw rejection(e);
        }
        metrics.tokenCacheMiss();   // with the cache off, every call is a miss: it pays for the signature
        long coldStart = System.nanoTime();
        VerifiedToken verified = verifySignatureAndClaims(token);
        metrics.coldVerification(Duration.ofNanos(System.nanoTime() - coldStart));
        if (cache != null) {
            cache.put(digest, verified);
            if (!jwks.trustedKeyIds().contains(verified.keyId())) {
                // The key left the set while we were verifying: do not let the entry outlive it.
                cache.dropKeys(Set.of(verified.keyId()));
            }
        }
        return verified;
    }

    private VerifiedToken verifySignatureAndClaims(String token) throws TokenRejectedException {
        try {
            CompactJws jws = CompactJws.parse(token, maxTokenLength);
            Algorithm alg = signatures.checkHeader(jws);
            Map<String, Object> payload = jws.payloadObject();
            VerifiedToken candidate = claimsReader.read(payload, jws.keyId());
            checkTime(candidate);
            VerificationKey key;
            try {
                key = jwks.keyFor(jws.keyId());
            } catch (KeyLookupException e) {
                throw new TokenRejectedException(switch (e.reason()) {
                    case KEYS_UNAVAILABLE -> RejectionReason.KEYS_UNAVAILABLE;
                    case UNKNOWN_KEY -> RejectionReason.UNKNOWN_KEY;
                }, e.getMessage());
            }
            signatures.verify(jws, alg, key.publicKey(), key.declaredAlgorithm());
            return candidate;
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

    private static void checkRequirements(VerifiedToken t, Requirements r) throws TokenRejectedException {
        if (!t.audiences().contains(r.audience())) {
            throw new TokenRejectedException(RejectionReason.WRONG_AUDIENCE, "token is not for this audience");
        }
        switch (r.organizationConstraint()) {
            case NONE -> { }
            case ANY -> {
                if (t.organizationId().isEmpty()) {
                    throw new TokenRejectedException(RejectionReason.MISSING_ORGANIZATION,
                            "token is not for an organization", r.scopes(), Set.of());
                }
            }
            case EXACT -> {
                if (t.organizationId().isEmpty()) {
                    throw new TokenRejectedException(RejectionReason.MISSING_ORGANIZATION,
                            "token is not for an organization", r.scopes(), Set.of());
                }
                if (!t.organizationId().get().equals(r.requiredOrganization().orElseThrow())) {
                    throw new TokenRejectedException(RejectionReason.WRONG_ORGANIZATION,
                            "token is for another organization", r.scopes(), Set.of());
                }
            }
        }
        if (!t.scopes().containsAll(r.scopes())) {
            Set<String> missing = new LinkedHashSet<>(r.scopes());
            missing.removeAll(t.scopes());
            throw new TokenRejectedException(RejectionReason.MISSING_SCOPES, "token lacks required scopes", r.scopes(),
                    missing);
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
        return "OrganizationTokenVerifier[issuers=" + issuers + "]";
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

        private LogtoEndpoint endpoint;
        private final Set<String> extraIssuers = new LinkedHashSet<>();
        private URI jwksUri;
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
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
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
            for (String issuer : issuers) {
                HttpUrls.parse("issuers", issuer);
                if (!extraIssuers.add(issuer)) {
                    throw new IllegalArgumentException("issuer '" + issuer + "' is listed twice");
                }
            }
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
            this.jwksUri = HttpUrls.parse("jwksUri", jwksUri);
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
            requireNotNegative("clockSkew", skew);
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
            Objects.requireNonNull(ttl, "jwksTtl");
            if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("jwksTtl must be at least 1s, was " + ttl);
            }
            this.jwksTtl = ttl;
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
            this.jwksRefreshCooldown = requireNotNegative("jwksRefreshCooldown", cooldown);
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
            this.jwksStaleFor = requireNotNegative("jwksStaleFor", staleFor);
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
            this.jwksConnectTimeout = requirePositive("jwksConnectTimeout", timeout);
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
            this.jwksRequestTimeout = requirePositive("jwksRequestTimeout", timeout);
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
            if (bytes < 1024 || bytes > 16 << 20) {
                throw new IllegalArgumentException("jwksMaxResponseBytes must be between 1024 and 16 MiB, was " + bytes);
            }
            this.jwksMaxResponseBytes = bytes;
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
         * Checks that the options fit together, exactly as {@link #build()} does, without building
         * anything: for a configuration loader that reports problems before start-up, and for tests.
         *
         * @return this builder
         * @throws IllegalStateException when the options are incomplete or contradict each other
         */
        public Builder validate() {
            resolvedIssuers();
            URI keys = resolvedJwksUri();
            if (Boolean.TRUE.equals(nativeCrypto) && signatureProvider != null) {
                throw new IllegalStateException("set either signatureProvider(...) or nativeCrypto(true), not both");
            }
            if (HttpUrls.isInsecure(keys) && !allowInsecureHttp) {
                throw new IllegalStateException("the JWKS URI " + keys + " uses plain http to a host that is not"
                        + " loopback, so keys fetched over it can be forged in transit: use https, or allow it with"
                        + " allowInsecureHttp(true)");
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
            URI keys = resolvedJwksUri();
            if (HttpUrls.isInsecure(keys)) {
                LOG.warn("JWKS URI {} uses plain http (allowed by allowInsecureHttp): keys fetched over it can be"
                        + " forged in transit", keys);
            }
            String provider = signatureProvider;
            if (provider == null) {
                boolean useNative = nativeCrypto != null ? nativeCrypto : NativeCrypto.requestedBySystemProperty();
                if (useNative) {
                    provider = NativeCrypto.accpProviderName(); // null: warned once, the JDK decides
                }
            }
            return new OrganizationTokenVerifier(this, resolvedIssuers(), keys, provider);
        }

        /**
         * Every option and its value, in a fixed order, for logs and tests, for example
         * {@code Builder{endpoint=https://acme.logto.app, issuers=[...], jwksUri=..., clockSkew=PT1M, ...}}.
         * Names no secret: the builder holds none.
         */
        @Override
        public String toString() {
            return "Builder{endpoint=" + endpoint + ", issuers=" + extraIssuers + ", jwksUri=" + jwksUri
                    + ", algorithms=" + algorithms + ", requireAccessTokenType=" + requireAccessTokenType
                    + ", clockSkew=" + clockSkew + ", maxTokenLength=" + maxTokenLength + ", tokenCacheSize="
                    + tokenCacheSize + ", jwksTtl=" + jwksTtl + ", jwksRefreshCooldown=" + jwksRefreshCooldown
                    + ", jwksStaleFor=" + jwksStaleFor + ", jwksConnectTimeout=" + jwksConnectTimeout
                    + ", jwksRequestTimeout=" + jwksRequestTimeout + ", jwksMaxResponseBytes=" + jwksMaxResponseBytes
                    + ", allowInsecureHttp=" + allowInsecureHttp + "}";
        }

        private Set<String> resolvedIssuers() {
            Set<String> issuers = new LinkedHashSet<>();
            if (endpoint != null) {
                issuers.add(endpoint.issuer());
            }
            issuers.addAll(extraIssuers);
            if (issuers.isEmpty()) {
                throw new IllegalStateException("logtoEndpoint(...) is required, or both issuers(...) and jwksUri(...)");
            }
            return issuers;
        }

        private URI resolvedJwksUri() {
            if (jwksUri != null) {
                return jwksUri;
            }
            if (endpoint == null) {
                throw new IllegalStateException("jwksUri(...) is required when logtoEndpoint(...) is not set");
            }
            return endpoint.jwksUri();
        }

        private static Duration requireNotNegative(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must be zero or positive, was " + d);
            }
            return d;
        }

        private static Duration requirePositive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }
    }
}
