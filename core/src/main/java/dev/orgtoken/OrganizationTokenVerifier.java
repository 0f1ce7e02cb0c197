package dev.orgtoken;

import dev.orgtoken.jwks.JwksCache;
import dev.orgtoken.jwks.JwksListener;
import dev.orgtoken.jwks.JwksSettings;
import dev.orgtoken.jwks.KeyLookupException;
import dev.orgtoken.jwks.VerificationKey;
import dev.orgtoken.jws.CompactJws;
import dev.orgtoken.jws.JwsAlgorithm;
import dev.orgtoken.jws.JwsException;
import dev.orgtoken.jws.SignatureVerifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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

    private OrganizationTokenVerifier(Builder b, Set<String> issuers, URI jwksUri, String signatureProvider) {
        this.issuers = Set.copyOf(issuers);
        this.clock = b.clock;
        this.clockSkewSeconds = b.clockSkew.toSeconds();
        this.maxTokenLength = b.maxTokenLength;
        this.metrics = b.metrics;
        this.signatureProvider = signatureProvider;
        this.signatures = new SignatureVerifier(b.algorithms, b.requireAccessTokenType, signatureProvider);
        this.claimsReader = new TokenClaimsReader(this.issuers);
        this.cache = b.tokenCacheSize > 0 ? new VerifiedTokenCache(b.tokenCacheSize, b.clock, b.clockSkew) : null;
        JwksSettings settings = new JwksSettings(jwksUri, b.httpClient, b.jwksConnectTimeout, b.jwksRequestTimeout,
                b.jwksMaxResponseBytes, b.jwksTtl, b.jwksRefreshCooldown, b.jwksStaleFor, EnumSet.copyOf(b.algorithms),
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
        VerifiedToken verified = verifySignatureAndClaims(token);
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
            JwsAlgorithm alg = signatures.checkHeader(jws);
            Map<String, Object> payload = jws.payloadObject();
            VerifiedToken candidate = claimsReader.read(payload, jws.keyId());
            checkTime(candidate);
            VerificationKey key;
            try {
                key = jwks.keyFor(jws.keyId());
            } catch (KeyLookupException e) {
                throw new TokenRejectedException(
                        e.keysUnavailable() ? RejectionReason.KEYS_UNAVAILABLE : RejectionReason.UNKNOWN_KEY,
                        e.getMessage());
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
     * Options for an {@link OrganizationTokenVerifier}, validated once by {@link #build()}.
     * Defaults follow what Logto emits; see each setter.
     */
    public static final class Builder {
        /** The largest clock skew {@link #clockSkew} accepts. */
        public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

        private URI endpoint;
        private final List<String> extraIssuers = new ArrayList<>();
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
         */
        public Builder logtoEndpoint(String endpoint) {
            this.endpoint = absolute(stripTrailingSlash(Objects.requireNonNull(endpoint, "endpoint")), "logtoEndpoint");
            return this;
        }

        /**
         * Trusts more issuers, compared exactly: for a tenant with a custom domain, add
         * {@code https://auth.example.com/oidc} beside the default host's issuer. Without
         * {@link #logtoEndpoint}, these are the only issuers.
         *
         * @param issuers exact {@code iss} values
         * @return this builder
         */
        public Builder issuers(String... issuers) {
            for (String issuer : issuers) {
                if (issuer == null || issuer.isBlank()) {
                    throw new IllegalArgumentException("an issuer must not be blank");
                }
                extraIssuers.add(issuer);
            }
            return this;
        }

        /**
         * Where to fetch the key set. Default: {@code <endpoint>/oidc/jwks}.
         *
         * @param jwksUri absolute http(s) URL
         * @return this builder
         */
        public Builder jwksUri(String jwksUri) {
            this.jwksUri = absolute(Objects.requireNonNull(jwksUri, "jwksUri"), "jwksUri");
            return this;
        }

        /**
         * The algorithm allow-list. Default: ES256, ES384, ES512, RS256 (what Logto signs with).
         *
         * @param algorithms one or more algorithms
         * @return this builder
         */
        public Builder allowedAlgorithms(JwsAlgorithm... algorithms) {
            if (algorithms.length == 0) {
                throw new IllegalArgumentException("the algorithm allow-list must not be empty");
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
         * Tolerance for clock differences in {@code exp}, {@code nbf} and {@code iat}. Default 60 s,
         * at most 5 min.
         *
         * @param skew zero or more, at most {@link #MAX_CLOCK_SKEW}
         * @return this builder
         */
        public Builder clockSkew(Duration skew) {
            this.clockSkew = Objects.requireNonNull(skew, "skew");
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
         * @param maxLength 256 to 1,048,576
         * @return this builder
         */
        public Builder maxTokenLength(int maxLength) {
            this.maxTokenLength = maxLength;
            return this;
        }

        /**
         * How many verified tokens to remember. Default 10,000; 0 turns the cache off.
         *
         * @param maximumSize entries, 0 or more
         * @return this builder
         */
        public Builder tokenCacheSize(long maximumSize) {
            this.tokenCacheSize = maximumSize;
            return this;
        }

        /**
         * How long a fetched key set is fresh when the server's {@code Cache-Control: max-age} is
         * absent or outside [1 min, 24 h]. Default 10 min. A background refresh runs ahead of it.
         *
         * @param ttl at least 1 second
         * @return this builder
         */
        public Builder jwksTtl(Duration ttl) {
            this.jwksTtl = Objects.requireNonNull(ttl, "ttl");
            return this;
        }

        /**
         * The least time between refreshes forced by an unknown {@code kid}, and between retries
         * after a failed fetch. Default 30 s.
         *
         * @param cooldown zero or more
         * @return this builder
         */
        public Builder jwksRefreshCooldown(Duration cooldown) {
            this.jwksRefreshCooldown = Objects.requireNonNull(cooldown, "cooldown");
            return this;
        }

        /**
         * How long past its TTL the last good key set is still used while refreshes fail.
         * Default 24 h.
         *
         * @param staleFor zero or more
         * @return this builder
         */
        public Builder jwksStaleFor(Duration staleFor) {
            this.jwksStaleFor = Objects.requireNonNull(staleFor, "staleFor");
            return this;
        }

        /**
         * Connect timeout for JWKS fetches. Default 2 s.
         *
         * @param timeout more than zero
         * @return this builder
         */
        public Builder jwksConnectTimeout(Duration timeout) {
            this.jwksConnectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Timeout for a whole JWKS exchange, and the longest any request waits for keys.
         * Default 3 s.
         *
         * @param timeout more than zero
         * @return this builder
         */
        public Builder jwksRequestTimeout(Duration timeout) {
            this.jwksRequestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * The largest JWKS response accepted. Default 131,072 bytes.
         *
         * @param bytes 1,024 to 16 MiB
         * @return this builder
         */
        public Builder jwksMaxResponseBytes(int bytes) {
            this.jwksMaxResponseBytes = bytes;
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
         */
        public Builder signatureProvider(String providerName) {
            this.signatureProvider = Objects.requireNonNull(providerName, "providerName");
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
         * Validates every option and builds the verifier. Nothing is fetched here.
         *
         * @return a verifier
         * @throws IllegalStateException when the options are incomplete or out of range
         */
        public OrganizationTokenVerifier build() {
            Set<String> issuers = new LinkedHashSet<>();
            if (endpoint != null) {
                issuers.add(endpoint + "/oidc");
            }
            issuers.addAll(extraIssuers);
            if (issuers.isEmpty()) {
                throw new IllegalStateException("set logtoEndpoint(...) or issuers(...)");
            }
            URI keys = jwksUri != null ? jwksUri : endpoint != null ? URI.create(endpoint + "/oidc/jwks") : null;
            if (keys == null) {
                throw new IllegalStateException("set logtoEndpoint(...) or jwksUri(...)");
            }
            if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
                throw new IllegalStateException("clockSkew must be between 0 and 5 minutes, was " + clockSkew);
            }
            if (maxTokenLength < 256 || maxTokenLength > 1 << 20) {
                throw new IllegalStateException("maxTokenLength must be between 256 and 1048576, was " + maxTokenLength);
            }
            if (tokenCacheSize < 0) {
                throw new IllegalStateException("tokenCacheSize must be 0 or more, was " + tokenCacheSize);
            }
            if (jwksTtl.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalStateException("jwksTtl must be at least 1 second, was " + jwksTtl);
            }
            if (jwksRefreshCooldown.isNegative() || jwksStaleFor.isNegative()) {
                throw new IllegalStateException("jwksRefreshCooldown and jwksStaleFor must not be negative");
            }
            if (jwksConnectTimeout.isNegative() || jwksConnectTimeout.isZero()
                    || jwksRequestTimeout.isNegative() || jwksRequestTimeout.isZero()) {
                throw new IllegalStateException("JWKS timeouts must be positive");
            }
            if (jwksMaxResponseBytes < 1024 || jwksMaxResponseBytes > 16 << 20) {
                throw new IllegalStateException("jwksMaxResponseBytes must be between 1024 and 16 MiB, was "
                        + jwksMaxResponseBytes);
            }
            if (Boolean.TRUE.equals(nativeCrypto) && signatureProvider != null) {
                throw new IllegalStateException("set either signatureProvider(...) or nativeCrypto(true), not both");
            }
            String provider = signatureProvider;
            if (provider == null) {
                boolean useNative = nativeCrypto != null ? nativeCrypto : NativeCrypto.requestedBySystemProperty();
                if (useNative) {
                    provider = NativeCrypto.accpProviderName(); // null: warned once, the JDK decides
                }
            }
            warnIfPlainHttp(keys);
            return new OrganizationTokenVerifier(this, issuers, keys, provider);
        }

        private static void warnIfPlainHttp(URI uri) {
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
                    || host.equals("::1");
            if ("http".equalsIgnoreCase(uri.getScheme()) && !loopback) {
                LOG.warn("JWKS URI {} uses plain http: keys fetched over it can be forged in transit", uri);
            }
        }

        private static String stripTrailingSlash(String s) {
            String out = s.trim();
            while (out.endsWith("/")) {
                out = out.substring(0, out.length() - 1);
            }
            return out;
        }

        private static URI absolute(String value, String what) {
            URI uri;
            try {
                uri = new URI(value.trim());
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException(what + " is not a valid URI: " + e.getReason());
            }
            if (!uri.isAbsolute() || uri.getHost() == null
                    || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
                throw new IllegalArgumentException(what + " must be an absolute http(s) URL, was '" + value + "'");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException(what + " must not have a query or fragment");
            }
            return uri;
        }
    }
}
