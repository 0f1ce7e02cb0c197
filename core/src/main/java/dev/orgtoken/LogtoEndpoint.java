package dev.orgtoken;

import dev.orgtoken.net.HttpUrls;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * A Logto endpoint, parsed and checked once, and everything derived from it: the issuer, the key
 * set, the token endpoint and the Management API resource.
 *
 * <pre>{@code
 * LogtoEndpoint acme = LogtoEndpoint.of("https://acme.logto.app/");
 * acme.issuer();                  // https://acme.logto.app/oidc
 * acme.jwksUri();                 // https://acme.logto.app/oidc/jwks
 * acme.tokenEndpoint();           // https://acme.logto.app/oidc/token
 * acme.managementApiResource();   // https://acme.logto.app/api (self-hosted: https://default.logto.app/api)
 * }</pre>
 *
 * <p>A tenant with a custom domain issues under each host: build one endpoint per host, or add the
 * other issuer to the verifier with {@link OrganizationTokenVerifier.Builder#issuers}.
 *
 * @param uri the endpoint: absolute {@code http} or {@code https}, with a host, without user info,
 *     query, fragment or trailing slash
 */
public record LogtoEndpoint(URI uri) {
    /** The Management API resource of every self-hosted Logto. */
    public static final String SELF_HOSTED_MANAGEMENT_API_RESOURCE = "https://default.logto.app/api";
    /** The domain of Logto Cloud tenants: {@code <tenant>.logto.app}. */
    private static final String CLOUD_DOMAIN = ".logto.app";

    /**
     * Checks the endpoint; {@link #of(String)} is the usual way in.
     *
     * @param uri the endpoint
     * @throws IllegalArgumentException when it is not an absolute http(s) URL with a host, or has
     *     user info, a query, a fragment or a trailing slash
     */
    public LogtoEndpoint {
        Objects.requireNonNull(uri, "uri");
        HttpUrls.check("endpoint", uri);
        if (uri.getRawPath() != null && uri.getRawPath().endsWith("/")) {
            throw new IllegalArgumentException("endpoint must not end with '/': '" + uri + "'");
        }
    }

    /**
     * Parses an endpoint such as {@code https://acme.logto.app}; trailing slashes are removed.
     *
     * @param endpoint absolute http(s) URL
     * @return the endpoint
     * @throws IllegalArgumentException when it is not a valid endpoint; the message says why
     */
    public static LogtoEndpoint of(String endpoint) {
        String text = Objects.requireNonNull(endpoint, "endpoint").trim();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return new LogtoEndpoint(HttpUrls.parse("endpoint", text));
    }

    /**
     * The issuer Logto puts in {@code iss}.
     *
     * @return {@code <endpoint>/oidc}
     */
    public String issuer() {
        return uri + "/oidc";
    }

    /**
     * Where Logto publishes its signing keys.
     *
     * @return {@code <endpoint>/oidc/jwks}
     */
    public URI jwksUri() {
        return URI.create(uri + "/oidc/jwks");
    }

    /**
     * Logto's OAuth 2.0 token endpoint.
     *
     * @return {@code <endpoint>/oidc/token}
     */
    public URI tokenEndpoint() {
        return URI.create(uri + "/oidc/token");
    }

    /**
     * The resource indicator of Logto's Management API, for a client-credentials token with
     * {@code scope=all}: {@code https://<tenant>.logto.app/api} on Logto Cloud, and
     * {@value #SELF_HOSTED_MANAGEMENT_API_RESOURCE} for every self-hosted Logto.
     *
     * @return the resource indicator
     */
    public String managementApiResource() {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return "https".equalsIgnoreCase(uri.getScheme()) && host.endsWith(CLOUD_DOMAIN) && uri.getPort() == -1
                ? "https://" + host + "/api" : SELF_HOSTED_MANAGEMENT_API_RESOURCE;
    }

    /**
     * Whether the endpoint is plain {@code http} to a host that is not loopback, where keys and
     * secrets can be read or forged in transit.
     *
     * @return true for {@code http://} to anything but {@code localhost}, {@code 127.0.0.0/8} or {@code [::1]}
     */
    public boolean isInsecure() {
        return HttpUrls.isInsecure(uri);
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
