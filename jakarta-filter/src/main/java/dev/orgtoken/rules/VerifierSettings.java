package dev.orgtoken.rules;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code logto:} section of a rules file: where tokens come from and how to verify them.
 *
 * <p>Optional values are empty when the file does not set them, so the caller applies the core
 * library's defaults. {@link #issuers()} and {@link #jwksUri()} are always present: taken from
 * the file, or derived from {@link #endpoint()} as {@code <endpoint>/oidc} and
 * {@code <endpoint>/oidc/jwks}.
 *
 * <p>All URIs must be absolute {@code http} or {@code https} URIs; plain {@code http} to a host
 * other than a loopback one is allowed but logged as a warning.
 *
 * @param endpoint the Logto endpoint, without a trailing slash
 * @param issuers the accepted {@code iss} values, at least one
 * @param jwksUri where to fetch the signing keys
 * @param clockSkew tolerance for {@code exp}/{@code nbf}/{@code iat}
 * @param algorithms the accepted JWS algorithms (asymmetric only)
 * @param requireAccessTokenType whether to require {@code typ: at+jwt}
 * @param tokenCacheSize the verified-token cache size (0 disables it)
 * @param jwksTtl how long fetched keys are fresh
 * @param jwksRefreshCooldown minimum time between key fetches on an unknown {@code kid}
 * @param jwksStaleFor how long stale keys are still used when the JWKS endpoint fails
 * @param jwksConnectTimeout connect timeout for JWKS fetches
 * @param jwksRequestTimeout overall timeout for JWKS fetches
 * @param maxTokenLength longest token accepted, in characters
 */
public record VerifierSettings(
        Optional<URI> endpoint,
        List<String> issuers,
        URI jwksUri,
        Optional<Duration> clockSkew,
        Optional<List<String>> algorithms,
        Optional<Boolean> requireAccessTokenType,
        OptionalInt tokenCacheSize,
        Optional<Duration> jwksTtl,
        Optional<Duration> jwksRefreshCooldown,
        Optional<Duration> jwksStaleFor,
        Optional<Duration> jwksConnectTimeout,
        Optional<Duration> jwksRequestTimeout,
        OptionalInt maxTokenLength) {

    private static final Logger LOG = LoggerFactory.getLogger(VerifierSettings.class);

    /** Asymmetric JWS algorithms; symmetric ones and {@code none} make no sense with a JWKS. */
    private static final Set<String> KNOWN_ALGORITHMS = Set.of(
            "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");
    /**
     * Validates every value; the builder is the usual way in.
     *
     * @param endpoint see {@link #endpoint()}
     * @param issuers see {@link #issuers()}
     * @param jwksUri see {@link #jwksUri()}
     * @param clockSkew see {@link #clockSkew()}
     * @param algorithms see {@link #algorithms()}
     * @param requireAccessTokenType see {@link #requireAccessTokenType()}
     * @param tokenCacheSize see {@link #tokenCacheSize()}
     * @param jwksTtl see {@link #jwksTtl()}
     * @param jwksRefreshCooldown see {@link #jwksRefreshCooldown()}
     * @param jwksStaleFor see {@link #jwksStaleFor()}
     * @param jwksConnectTimeout see {@link #jwksConnectTimeout()}
     * @param jwksRequestTimeout see {@link #jwksRequestTimeout()}
     * @param maxTokenLength see {@link #maxTokenLength()}
     * @throws IllegalArgumentException when a value is missing or invalid
     */
    public VerifierSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(issuers, "issuers");
        Objects.requireNonNull(jwksUri, "jwksUri");
        Objects.requireNonNull(clockSkew, "clockSkew");
        Objects.requireNonNull(algorithms, "algorithms");
        Objects.requireNonNull(requireAccessTokenType, "requireAccessTokenType");
        Objects.requireNonNull(tokenCacheSize, "tokenCacheSize");
        Objects.requireNonNull(jwksTtl, "jwksTtl");
        Objects.requireNonNull(jwksRefreshCooldown, "jwksRefreshCooldown");
        Objects.requireNonNull(jwksStaleFor, "jwksStaleFor");
        Objects.requireNonNull(jwksConnectTimeout, "jwksConnectTimeout");
        Objects.requireNonNull(jwksRequestTimeout, "jwksRequestTimeout");
        Objects.requireNonNull(maxTokenLength, "maxTokenLength");

        Set<URI> plainHttp = new LinkedHashSet<>();
        if (endpoint.isPresent()) {
            checkHttpUri("endpoint", endpoint.get(), plainHttp);
            if (endpoint.get().toString().endsWith("/")) {
                throw new ConfigProblem("endpoint", "'endpoint' must not end with '/'");
            }
        }
        issuers = List.copyOf(issuers);
        if (issuers.isEmpty()) {
            throw new ConfigProblem("issuers", "'issuers' must not be empty");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < issuers.size(); i++) {
            String issuer = issuers.get(i);
            try {
                checkHttpUri("issuers", toUri("issuers", issuer), plainHttp);
            } catch (ConfigProblem e) {
                throw ConfigProblem.inItem("issuers", i, e.getMessage());
            }
            if (!seen.add(issuer)) {
                throw ConfigProblem.inItem("issuers", i, "issuer '" + issuer + "' is listed twice");
            }
        }
        checkHttpUri("jwks-uri", jwksUri, plainHttp);
        if (!plainHttp.isEmpty()) {
            LOG.warn("Logto settings use plain http to a non-loopback host, so keys are not protected in transit: {}",
                    plainHttp);
        }

        algorithms = algorithms.map(List::copyOf);
        algorithms.ifPresent(VerifierSettings::checkAlgorithms);

        checkDuration("clock-skew", clockSkew, true);
        if (clockSkew.isPresent() && clockSkew.get().compareTo(Duration.ofMinutes(5)) > 0) {
            throw new ConfigProblem("clock-skew", "'clock-skew' must be at most 5m, was " + clockSkew.get());
        }
        checkDuration("jwks-ttl", jwksTtl, false);
        checkDuration("jwks-refresh-cooldown", jwksRefreshCooldown, true);
        checkDuration("jwks-stale-for", jwksStaleFor, true);
        checkDuration("jwks-connect-timeout", jwksConnectTimeout, false);
        checkDuration("jwks-request-timeout", jwksRequestTimeout, false);
        if (tokenCacheSize.isPresent() && tokenCacheSize.getAsInt() < 0) {
            throw new ConfigProblem("token-cache-size", "'token-cache-size' must not be negative");
        }
        if (maxTokenLength.isPresent() && (maxTokenLength.getAsInt() < 256 || maxTokenLength.getAsInt() > 1 << 20)) {
            throw new ConfigProblem("max-token-length", "'max-token-length' must be between 256 and 1048576");
        }
    }

    /**
     * Starts a builder.
     *
     * @return a builder with nothing set
     */
    public static Builder builder() {
        return new Builder();
    }

    private static void checkAlgorithms(List<String> algorithms) {
        if (algorithms.isEmpty()) {
            throw new ConfigProblem("algorithms", "'algorithms' must not be empty (leave it out for the default)");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < algorithms.size(); i++) {
            String alg = Objects.requireNonNull(algorithms.get(i), "algorithm");
            if (!KNOWN_ALGORITHMS.contains(alg)) {
                String why = alg.equalsIgnoreCase("none") || alg.toUpperCase(Locale.ROOT).startsWith("HS")
                        ? " (only asymmetric algorithms can be verified with a JWKS)"
                        : Syntax.didYouMean(alg, new java.util.TreeSet<>(KNOWN_ALGORITHMS));
                throw ConfigProblem.inItem("algorithms", i, "unsupported algorithm '" + alg + "'" + why
                        + "; supported: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512");
            }
            if (!seen.add(alg)) {
                throw ConfigProblem.inItem("algorithms", i, "algorithm '" + alg + "' is listed twice");
            }
        }
    }

    private static void checkDuration(String key, Optional<Duration> value, boolean zeroAllowed) {
        if (value.isEmpty()) {
            return;
        }
        Duration d = value.get();
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new ConfigProblem(key, "'" + key + "' must be " + (zeroAllowed ? "zero or positive" : "positive")
                    + ", was " + d);
        }
    }

    static URI toUri(String key, String text) {
        Objects.requireNonNull(text, key);
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigProblem(key, "'" + key + "' is not a valid URI: '" + text + "' (" + e.getReason() + ")");
        }
    }

    private static void checkHttpUri(String key, URI uri, Set<URI> plainHttp) {
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !("https".equals(scheme) || "http".equals(scheme))) {
            throw new ConfigProblem(key, "'" + key + "' must be an absolute http or https URI, was '" + uri + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new ConfigProblem(key, "'" + key + "' has no host: '" + uri + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new ConfigProblem(key, "'" + key + "' must not contain user info: '" + uri + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ConfigProblem(key, "'" + key + "' must not have a query or fragment: '" + uri + "'");
        }
        if ("http".equals(scheme) && !isLoopback(uri.getHost())) {
            plainHttp.add(uri);
        }
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.endsWith(".localhost") || h.startsWith("127.")
                || h.equals("[::1]") || h.equals("::1");
    }

    /**
     * Builds {@link VerifierSettings}. Set either {@link #endpoint(String)}, or both
     * {@link #issuers(Collection)} and {@link #jwksUri(String)}; explicit issuers or JWKS URI
     * override the ones derived from the endpoint.
     */
    public static final class Builder {
        private URI endpoint;
        private List<String> issuers;
        private URI jwksUri;
        private Duration clockSkew;
        private List<String> algorithms;
        private Boolean requireAccessTokenType;
        private Integer tokenCacheSize;
        private Duration jwksTtl;
        private Duration jwksRefreshCooldown;
        private Duration jwksStaleFor;
        private Duration jwksConnectTimeout;
        private Duration jwksRequestTimeout;
        private Integer maxTokenLength;

        private Builder() {}

        /**
         * The Logto endpoint, e.g. {@code https://tenant.logto.app}; a trailing slash is removed.
         *
         * @param endpoint an absolute http(s) URI
         * @return this builder
         */
        public Builder endpoint(String endpoint) {
            String text = Objects.requireNonNull(endpoint, "endpoint");
            while (text.endsWith("/")) {
                text = text.substring(0, text.length() - 1);
            }
            this.endpoint = toUri("endpoint", text);
            return this;
        }

        /**
         * The accepted issuers.
         *
         * @param issuers one or more absolute http(s) URIs
         * @return this builder
         */
        public Builder issuers(String... issuers) {
            return issuers(Arrays.asList(issuers));
        }

        /**
         * The accepted issuers.
         *
         * @param issuers one or more absolute http(s) URIs
         * @return this builder
         */
        public Builder issuers(Collection<String> issuers) {
            this.issuers = new ArrayList<>(Objects.requireNonNull(issuers, "issuers"));
            return this;
        }

        /**
         * Where to fetch the signing keys.
         *
         * @param jwksUri an absolute http(s) URI
         * @return this builder
         */
        public Builder jwksUri(String jwksUri) {
            this.jwksUri = toUri("jwks-uri", jwksUri);
            return this;
        }

        /**
         * Tolerance for time claims.
         *
         * @param clockSkew zero or positive
         * @return this builder
         */
        public Builder clockSkew(Duration clockSkew) {
            this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
            return this;
        }

        /**
         * The accepted JWS algorithms.
         *
         * @param algorithms e.g. {@code ES384}, {@code RS256}
         * @return this builder
         */
        public Builder algorithms(String... algorithms) {
            return algorithms(Arrays.asList(algorithms));
        }

        /**
         * The accepted JWS algorithms.
         *
         * @param algorithms e.g. {@code ES384}, {@code RS256}
         * @return this builder
         */
        public Builder algorithms(Collection<String> algorithms) {
            this.algorithms = new ArrayList<>(Objects.requireNonNull(algorithms, "algorithms"));
            return this;
        }

        /**
         * Whether to require the {@code at+jwt} token type.
         *
         * @param require true to require it
         * @return this builder
         */
        public Builder requireAccessTokenType(boolean require) {
            this.requireAccessTokenType = require;
            return this;
        }

        /**
         * Size of the verified-token cache.
         *
         * @param size zero (disabled) or more
         * @return this builder
         */
        public Builder tokenCacheSize(int size) {
            this.tokenCacheSize = size;
            return this;
        }

        /**
         * How long fetched keys stay fresh.
         *
         * @param ttl positive
         * @return this builder
         */
        public Builder jwksTtl(Duration ttl) {
            this.jwksTtl = Objects.requireNonNull(ttl, "jwksTtl");
            return this;
        }

        /**
         * Minimum time between key fetches triggered by an unknown key id.
         *
         * @param cooldown zero or positive
         * @return this builder
         */
        public Builder jwksRefreshCooldown(Duration cooldown) {
            this.jwksRefreshCooldown = Objects.requireNonNull(cooldown, "jwksRefreshCooldown");
            return this;
        }

        /**
         * How long stale keys are used while the JWKS endpoint fails.
         *
         * @param staleFor zero or positive
         * @return this builder
         */
        public Builder jwksStaleFor(Duration staleFor) {
            this.jwksStaleFor = Objects.requireNonNull(staleFor, "jwksStaleFor");
            return this;
        }

        /**
         * Connect timeout for JWKS fetches.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder jwksConnectTimeout(Duration timeout) {
            this.jwksConnectTimeout = Objects.requireNonNull(timeout, "jwksConnectTimeout");
            return this;
        }

        /**
         * Overall timeout for JWKS fetches.
         *
         * @param timeout positive
         * @return this builder
         */
        public Builder jwksRequestTimeout(Duration timeout) {
            this.jwksRequestTimeout = Objects.requireNonNull(timeout, "jwksRequestTimeout");
            return this;
        }

        /**
         * Longest token accepted, in characters.
         *
         * @param length at least 1
         * @return this builder
         */
        public Builder maxTokenLength(int length) {
            this.maxTokenLength = length;
            return this;
        }

        /**
         * Builds the settings, deriving issuers and JWKS URI from the endpoint when not set.
         *
         * @return the settings
         * @throws IllegalArgumentException if neither an endpoint nor both issuers and a JWKS URI
         *     are set, or a value is invalid
         */
        public VerifierSettings build() {
            List<String> iss = issuers;
            URI jwks = jwksUri;
            if (endpoint == null) {
                if (iss == null && jwks == null) {
                    throw new ConfigProblem("endpoint",
                            "'endpoint' is required, or both 'issuers' and 'jwks-uri'");
                }
                if (iss == null) {
                    throw new ConfigProblem("issuers", "'issuers' is required when 'endpoint' is not set");
                }
                if (jwks == null) {
                    throw new ConfigProblem("jwks-uri", "'jwks-uri' is required when 'endpoint' is not set");
                }
            } else {
                if (iss == null) {
                    iss = List.of(endpoint + "/oidc");
                }
                if (jwks == null) {
                    jwks = URI.create(endpoint + "/oidc/jwks");
                }
            }
            return new VerifierSettings(
                    Optional.ofNullable(endpoint),
                    iss,
                    jwks,
                    Optional.ofNullable(clockSkew),
                    Optional.ofNullable(algorithms),
                    Optional.ofNullable(requireAccessTokenType),
                    tokenCacheSize == null ? OptionalInt.empty() : OptionalInt.of(tokenCacheSize),
                    Optional.ofNullable(jwksTtl),
                    Optional.ofNullable(jwksRefreshCooldown),
                    Optional.ofNullable(jwksStaleFor),
                    Optional.ofNullable(jwksConnectTimeout),
                    Optional.ofNullable(jwksRequestTimeout),
                    maxTokenLength == null ? OptionalInt.empty() : OptionalInt.of(maxTokenLength));
        }
    }
}
