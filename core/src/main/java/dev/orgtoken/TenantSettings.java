package dev.orgtoken;

import dev.orgtoken.net.HttpUrls;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings of one Logto tenant a verifier trusts: its issuers, its key set, and its own key
 * cache timings. Given to {@link OrganizationTokenVerifier.Builder#tenant(String, java.util.function.Consumer)}:
 *
 * <pre>{@code
 * OrganizationTokenVerifier.builder()
 *     .tenant("cloud", t -> t.logtoEndpoint("https://acme.logto.app"))
 *     .tenant("selfhosted", t -> t.logtoEndpoint("https://auth.acme.com").jwksRefreshCooldown(Duration.ofMinutes(1)))
 *     .build();
 * }</pre>
 *
 * Each tenant has its own key cache, refresh thread and cooldown: a token is routed to its tenant by
 * its exact {@code iss} before any key is looked up, so one tenant's keys never verify a token that
 * names another's issuer, and a flood of unknown key ids against one tenant never spends another's
 * fetches. A JWKS option a tenant does not set is the verifier builder's (default or set there).
 *
 * <p>Setters check their value at once and throw {@link IllegalArgumentException} naming the option,
 * as the verifier's builder does; {@link OrganizationTokenVerifier.Builder#build()} checks the
 * combinations (an endpoint or issuers and a JWKS URI; no issuer or JWKS URI shared by two tenants).
 */
public final class TenantSettings {
    /** The name of the one tenant a verifier configured without {@code tenant(...)} has. */
    public static final String DEFAULT_TENANT = "default";
    private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9_-]{0,62})");

    private final String name;
    LogtoEndpoint endpoint;
    final Set<String> extraIssuers = new LinkedHashSet<>();
    URI jwksUri;
    Duration jwksTtl;
    Duration jwksRefreshCooldown;
    Duration jwksStaleFor;
    Duration jwksConnectTimeout;
    Duration jwksRequestTimeout;
    Integer jwksMaxResponseBytes;
    Boolean allowInsecureHttp;
    RolesClaim rolesClaim;

    TenantSettings(String name) {
        this.name = name;
    }

    /**
     * Checks a tenant name: lower-case letters, digits, {@code -} and {@code _}, starting with a
     * letter or digit, at most 63 characters.
     *
     * @param name the name
     * @return the name
     * @throws IllegalArgumentException when it is not such a name
     */
    static String checkName(String name) {
        Objects.requireNonNull(name, "tenant");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tenant name '" + name + "' must be lower-case letters, digits, '-'"
                    + " and '_', starting with a letter or digit (at most 63 characters)");
        }
        return name;
    }

    /** @return the tenant's name, as {@link VerifiedToken#tenant()} and {@link Requirements#tenants} spell it */
    public String name() {
        return name;
    }

    /**
     * The tenant's Logto endpoint: trusts issuer {@code <endpoint>/oidc}, keys from
     * {@code <endpoint>/oidc/jwks} (unless {@link #jwksUri} says otherwise).
     *
     * @param endpoint absolute http(s) URL
     * @return these settings
     * @throws IllegalArgumentException when it is not a valid endpoint
     */
    public TenantSettings logtoEndpoint(String endpoint) {
        return logtoEndpoint(LogtoEndpoint.of(endpoint));
    }

    /**
     * The tenant's Logto endpoint; see {@link #logtoEndpoint(String)}.
     *
     * @param endpoint the endpoint
     * @return these settings
     */
    public TenantSettings logtoEndpoint(LogtoEndpoint endpoint) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        return this;
    }

    /**
     * More exact issuers of this tenant (custom domains); without an endpoint, the only ones. Calls add up.
     *
     * @param issuers exact {@code iss} values: absolute http(s) URIs
     * @return these settings
     * @throws IllegalArgumentException when one is not an absolute http(s) URI, or is given twice
     */
    public TenantSettings issuers(String... issuers) {
        for (String issuer : issuers) {
            HttpUrls.parse("issuers", issuer);
            if (!extraIssuers.add(issuer)) {
                throw new IllegalArgumentException("issuer '" + issuer + "' is listed twice");
            }
        }
        return this;
    }

    /**
     * Where this tenant's key set is fetched. Default {@code <endpoint>/oidc/jwks}.
     *
     * @param jwksUri absolute http(s) URL
     * @return these settings
     */
    public TenantSettings jwksUri(String jwksUri) {
        this.jwksUri = HttpUrls.parse("jwksUri", jwksUri);
        return this;
    }

    /**
     * This tenant's key set freshness; see {@link OrganizationTokenVerifier.Builder#jwksTtl}.
     *
     * @param ttl at least 1 second
     * @return these settings
     */
    public TenantSettings jwksTtl(Duration ttl) {
        this.jwksTtl = OptionChecks.jwksTtl(ttl);
        return this;
    }

    /**
     * This tenant's least time between forced refreshes; see {@link OrganizationTokenVerifier.Builder#jwksRefreshCooldown}.
     *
     * @param cooldown zero or more
     * @return these settings
     */
    public TenantSettings jwksRefreshCooldown(Duration cooldown) {
        this.jwksRefreshCooldown = OptionChecks.notNegative("jwksRefreshCooldown", cooldown);
        return this;
    }

    /**
     * How long this tenant's last good key set outlives failed refreshes; see {@link OrganizationTokenVerifier.Builder#jwksStaleFor}.
     *
     * @param staleFor zero or more
     * @return these settings
     */
    public TenantSettings jwksStaleFor(Duration staleFor) {
        this.jwksStaleFor = OptionChecks.notNegative("jwksStaleFor", staleFor);
        return this;
    }

    /**
     * Connect timeout for this tenant's key set.
     *
     * @param timeout more than zero
     * @return these settings
     */
    public TenantSettings jwksConnectTimeout(Duration timeout) {
        this.jwksConnectTimeout = OptionChecks.positive("jwksConnectTimeout", timeout);
        return this;
    }

    /**
     * Whole-exchange timeout for this tenant's key set, and the longest a request waits for it.
     *
     * @param timeout more than zero
     * @return these settings
     */
    public TenantSettings jwksRequestTimeout(Duration timeout) {
        this.jwksRequestTimeout = OptionChecks.positive("jwksRequestTimeout", timeout);
        return this;
    }

    /**
     * The largest key set response accepted from this tenant.
     *
     * @param bytes 1,024 to 16 MiB
     * @return these settings
     */
    public TenantSettings jwksMaxResponseBytes(int bytes) {
        this.jwksMaxResponseBytes = OptionChecks.jwksMaxResponseBytes(bytes);
        return this;
    }

    /**
     * Allows a plain-http JWKS URL to a host that is not loopback for this tenant; see
     * {@link OrganizationTokenVerifier.Builder#allowInsecureHttp}.
     *
     * @param allow true to allow it
     * @return these settings
     */
    public TenantSettings allowInsecureHttp(boolean allow) {
        this.allowInsecureHttp = allow;
        return this;
    }

    /**
     * Where this tenant's tokens carry roles, overriding {@link OrganizationTokenVerifier.Builder#rolesClaim}.
     *
     * @param claim a claim name ({@code roles}) or dotted path ({@code custom.roles})
     * @return these settings
     */
    public TenantSettings rolesClaim(String claim) {
        this.rolesClaim = RolesClaim.of(claim);
        return this;
    }

    /** @return the endpoint, when set */
    public Optional<LogtoEndpoint> logtoEndpoint() {
        return Optional.ofNullable(endpoint);
    }

    /** @return the issuers added with {@link #issuers}, in order */
    public Set<String> issuers() {
        return Collections.unmodifiableSet(extraIssuers);
    }

    /** Whether any of the tenant's own identity (endpoint, issuers, JWKS URI) is set. */
    boolean namesAnIssuer() {
        return endpoint != null || !extraIssuers.isEmpty() || jwksUri != null;
    }

    /** The issuers: the endpoint's, then the extra ones. */
    Set<String> resolvedIssuers(String prefix) {
        Set<String> issuers = new LinkedHashSet<>();
        if (endpoint != null) {
            issuers.add(endpoint.issuer());
        }
        issuers.addAll(extraIssuers);
        if (issuers.isEmpty()) {
            throw new IllegalStateException(prefix + "logtoEndpoint(...) is required, or both issuers(...) and jwksUri(...)");
        }
        return issuers;
    }

    URI resolvedJwksUri(String prefix) {
        if (jwksUri != null) {
            return jwksUri;
        }
        if (endpoint == null) {
            throw new IllegalStateException(prefix + "jwksUri(...) is required when logtoEndpoint(...) is not set");
        }
        return endpoint.jwksUri();
    }

    @Override
    public String toString() {
        return "TenantSettings{name=" + name + ", endpoint=" + endpoint + ", issuers=" + extraIssuers + ", jwksUri="
                + jwksUri + (jwksRefreshCooldown == null ? "" : ", jwksRefreshCooldown=" + jwksRefreshCooldown)
                + (rolesClaim == null ? "" : ", rolesClaim=" + rolesClaim) + "}";
    }
}
