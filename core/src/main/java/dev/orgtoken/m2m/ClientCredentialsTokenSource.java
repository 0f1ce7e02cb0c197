package dev.orgtoken.m2m;

import java.io.IOException;
import dev.orgtoken.LogtoEndpoint;
import dev.orgtoken.net.HttpUrls;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.jose4j.json.JsonUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets and caches an access token for the server itself with the OAuth 2.0 client-credentials
 * grant: the token to call Logto's Management API (or another API) <em>after</em> the user's own
 * token has been verified and authorised. Never forward the user's token instead.
 *
 * <pre>{@code
 * ClientCredentialsTokenSource management = ClientCredentialsTokenSource.builder()
 *     .logtoEndpoint("https://acme.logto.app")
 *     .clientId(System.getenv("LOGTO_M2M_APP_ID"))
 *     .clientSecret(System.getenv("LOGTO_M2M_APP_SECRET"))
 *     .resource("https://acme.logto.app/api")      // self-hosted: https://default.logto.app/api
 *     .scopes("all")
 *     .build();
 * String header = management.token().authorizationHeader();
 * }</pre>
 *
 * <p>A token is reused until {@code refreshBefore} ahead of its expiry. Concurrent callers share
 * one request. When an API refuses a token (401), {@link #invalidate(AccessToken)} drops that token
 * and only that one; {@link BearerRequestSender} does it, and retries once, for any
 * {@code java.net.http} request. Errors become a {@link TokenRequestException} with Logto's fields.
 * The secret and tokens are never logged.
 *
 * <p>The client secret travels in a Basic {@code Authorization} header, so a plain {@code http://}
 * token endpoint is refused at build unless it is on this machine (loopback) or
 * {@link Builder#allowInsecureHttp(boolean)} says otherwise.
 */
public final class ClientCredentialsTokenSource {
    private static final Logger LOG = LoggerFactory.getLogger(ClientCredentialsTokenSource.class);
    private static final int MAX_RESPONSE_CHARS = 64 * 1024;

    private final URI tokenEndpoint;
    private final String basicAuthorization;
    private final String form;
    private final HttpClient client;
    private final Clock clock;
    private final Duration refreshBefore;
    private final Duration requestTimeout;

    /**
     * The token handed out while it is fresh. An AtomicReference because {@link #invalidate(AccessToken)}
     * must clear it only if it still holds the refused token: a compare-and-set, so a token stored
     * by a concurrent refresh in between is never thrown away.
     */
    private final AtomicReference<AccessToken> cached = new AtomicReference<>();
    private CompletableFuture<AccessToken> inFlight;   // guarded by this

    private ClientCredentialsTokenSource(Builder b) {
        this.tokenEndpoint = b.tokenEndpoint;
        String credentials = urlEncode(b.clientId) + ":" + urlEncode(b.clientSecret);
        this.basicAuthorization = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        Map<String, String> params = new LinkedHashMap<>();
        params.put("grant_type", "client_credentials");
        params.put("resource", b.resource);
        if (!b.scopes.isEmpty()) {
            params.put("scope", String.join(" ", b.scopes));
        }
        if (b.organizationId != null) {
            params.put("organization_id", b.organizationId);
        }
        StringJoiner joiner = new StringJoiner("&");
        params.forEach((k, v) -> joiner.add(urlEncode(k) + "=" + urlEncode(v)));
        this.form = joiner.toString();
        this.client = b.httpClient != null ? b.httpClient
                : HttpClient.newBuilder().connectTimeout(b.connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.clock = b.clock;
        this.refreshBefore = b.refreshBefore;
        this.requestTimeout = b.requestTimeout;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A valid token: the cached one while it has more than {@code refreshBefore} left, else a
     * new one. Concurrent callers that need a new token share one request.
     *
     * @return the token
     * @throws TokenRequestException when the endpoint refuses or cannot be reached
     */
    public AccessToken token() throws TokenRequestException {
        AccessToken token = cached.get();
        if (token != null && clock.instant().plus(refreshBefore).isBefore(token.expiresAt())) {
            return token;
        }
        CompletableFuture<AccessToken> shared;
        boolean mine = false;
        synchronized (this) {
            token = cached.get();
            if (token != null && clock.instant().plus(refreshBefore).isBefore(token.expiresAt())) {
                return token;
            }
            if (inFlight == null) {
                inFlight = new CompletableFuture<>();
                mine = true;
            }
            shared = inFlight;
        }
        if (mine) {
            try {
                AccessToken fresh = request();
                cached.set(fresh);
                shared.complete(fresh);
            } catch (TokenRequestException | RuntimeException e) {
                shared.completeExceptionally(e);
            } finally {
                synchronized (this) {
                    inFlight = null;
                }
            }
        }
        try {
            return shared.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenRequestException("interrupted while waiting for a token", 0, null, null, null, null, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TokenRequestException t) {
                throw t;
            }
            throw new TokenRequestException("token request failed", 0, null, null, null, null, e.getCause());
        }
    }

    /**
     * Drops a token that a server refused (answered 401 to), so the next {@link #token()} gets a new
     * one. Only that token is dropped: when the cache already holds another one (a concurrent
     * caller's refresh after the same refusal, or a scheduled one), it is kept, so N callers refused
     * at once cause one new token request, not N. A token of another source, or one already
     * dropped, changes nothing.
     *
     * @param refused the token as {@link #token()} returned it
     * @return true when this call dropped it from the cache
     */
    public boolean invalidate(AccessToken refused) {
        Objects.requireNonNull(refused, "refused");
        while (true) {
            AccessToken current = cached.get();
            if (current == null || !current.value().equals(refused.value())) {
                return false;
            }
            // Compare-and-set against the exact instance just compared: if a refresh stored a new
            // token in between, the set fails and the loop sees the new token, which it keeps.
            if (cached.compareAndSet(current, null)) {
                LOG.debug("dropped a refused token for {}; the next call requests a new one", tokenEndpoint);
                return true;
            }
        }
    }

    /** The token endpoint this source asks. */
    URI tokenEndpoint() {
        return tokenEndpoint;
    }

    private AccessToken request() throws TokenRequestException {
        HttpRequest request = HttpRequest.newBuilder(tokenEndpoint)
                .timeout(requestTimeout)
                .header("Authorization", basicAuthorization)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("token endpoint {} unreachable: {}", tokenEndpoint, e.getClass().getSimpleName());
            throw new TokenRequestException("token endpoint " + tokenEndpoint + " is unreachable ("
                    + e.getClass().getSimpleName() + ")", 0, null, null, null, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenRequestException("interrupted while requesting a token", 0, null, null, null, null, e);
        }
        Instant now = clock.instant();
        Map<String, Object> body = parse(response.body());
        if (response.statusCode() != 200) {
            String error = string(body, "error");
            String description = string(body, "error_description");
            String code = string(body, "code");
            String message = string(body, "message");
            StringBuilder text = new StringBuilder("token endpoint refused client_credentials (HTTP ")
                    .append(response.statusCode());
            if (error != null) {
                text.append(' ').append(error);
            }
            text.append(')');
            if (description != null) {
                text.append(": ").append(description);
            } else if (message != null) {
                text.append(": ").append(message);
            }
            LOG.warn("{}", text);
            throw new TokenRequestException(text.toString(), response.statusCode(), error, description, code, message, null);
        }
        String value = string(body, "access_token");
        Object expiresIn = body.get("expires_in");
        if (value == null || value.isEmpty() || !(expiresIn instanceof Number seconds) || seconds.longValue() <= 0) {
            throw new TokenRequestException("token endpoint answered 200 without access_token and expires_in",
                    200, null, null, null, null, null);
        }
        String type = string(body, "token_type");
        String scope = string(body, "scope");
        Set<String> scopes = new LinkedHashSet<>();
        if (scope != null) {
            scopes.addAll(Arrays.asList(scope.trim().split("\\s+")));
            scopes.remove("");
        }
        return new AccessToken(value, type == null ? "Bearer" : type, now.plusSeconds(seconds.longValue()), scopes);
    }

    private static Map<String, Object> parse(String body) {
        if (body == null || body.length() > MAX_RESPONSE_CHARS) {
            return Map.of();
        }
        try {
            return JsonUtil.parseJson(body);
        } catch (Exception e) {
            return Map.of();
        }
    }

    private static String string(Map<String, Object> body, String name) {
        return body.get(name) instanceof String s ? s : null;
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ClientCredentialsTokenSource[tokenEndpoint=" + Builder.describe(tokenEndpoint) + "]";
    }

    /** Options for a {@link ClientCredentialsTokenSource}, validated by {@link #build()}. */
    public static final class Builder {
        private URI tokenEndpoint;
        private String clientId;
        private String clientSecret;
        private String resource;
        private final Set<String> scopes = new LinkedHashSet<>();
        private String organizationId;
        private HttpClient httpClient;
        private Clock clock = Clock.systemUTC();
        private Duration refreshBefore = Duration.ofSeconds(60);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private boolean allowInsecureHttp;

        private Builder() {}

        /**
         * The Logto endpoint; the token endpoint is {@code <endpoint>/oidc/token}.
         *
         * @param endpoint absolute http(s) URL
         * @return this builder
         * @throws IllegalArgumentException when it is not a valid endpoint (see {@link LogtoEndpoint})
         */
        public Builder logtoEndpoint(String endpoint) {
            return logtoEndpoint(LogtoEndpoint.of(endpoint));
        }

        /**
         * The Logto endpoint; the token endpoint is {@link LogtoEndpoint#tokenEndpoint()}, and
         * {@link LogtoEndpoint#managementApiResource()} names its Management API.
         *
         * @param endpoint the endpoint
         * @return this builder
         */
        public Builder logtoEndpoint(LogtoEndpoint endpoint) {
            this.tokenEndpoint = Objects.requireNonNull(endpoint, "endpoint").tokenEndpoint();
            return this;
        }

        /**
         * The token endpoint itself, when it is not {@code <endpoint>/oidc/token}.
         *
         * @param uri absolute http(s) URL
         * @return this builder
         */
        public Builder tokenEndpoint(String uri) {
            this.tokenEndpoint = HttpUrls.parse("tokenEndpoint", Objects.requireNonNull(uri, "uri"));
            return this;
        }

        /**
         * @param clientId the machine-to-machine application's id
         * @return this builder
         */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /**
         * @param clientSecret the machine-to-machine application's secret; never logged
         * @return this builder
         */
        public Builder clientSecret(String clientSecret) {
            this.clientSecret = clientSecret;
            return this;
        }

        /**
         * The API resource indicator. For Logto's Management API: {@code https://<tenant>.logto.app/api}
         * on Logto Cloud, {@code https://default.logto.app/api} self-hosted.
         *
         * @param resource the resource indicator
         * @return this builder
         */
        public Builder resource(String resource) {
            this.resource = resource;
            return this;
        }

        /**
         * Scopes to request (the Management API needs {@code all}). Default: none, which lets the
         * endpoint grant its default.
         *
         * @param scopes scope names
         * @return this builder
         */
        public Builder scopes(String... scopes) {
            for (String s : scopes) {
                if (s == null || s.isBlank() || s.chars().anyMatch(Character::isWhitespace)) {
                    throw new IllegalArgumentException("a scope must be non-blank without whitespace");
                }
                this.scopes.add(s);
            }
            return this;
        }

        /**
         * Requests an organization token for an organization-level API resource.
         *
         * @param organizationId the organization
         * @return this builder
         */
        public Builder organizationId(String organizationId) {
            this.organizationId = organizationId;
            return this;
        }

        /**
         * @param client the HTTP client (default: a private one that does not follow redirects)
         * @return this builder
         */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * @param clock the time source (default {@link Clock#systemUTC()})
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * A cached token is replaced when less than this is left. Default 60 s.
         *
         * @param margin zero or more
         * @return this builder
         */
        public Builder refreshBefore(Duration margin) {
            this.refreshBefore = Objects.requireNonNull(margin, "margin");
            return this;
        }

        /**
         * @param timeout connect timeout (default 5 s)
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * @param timeout whole-request timeout (default 10 s)
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Allows a plain {@code http://} token endpoint on a host other than this machine. Off by
         * default: the client secret (Basic) and the tokens would cross the network unencrypted, so
         * such an endpoint is refused at build. Loopback ({@code localhost}, {@code *.localhost},
         * {@code 127.0.0.0/8}, {@code [::1]}) needs no opt-in. When this opt-in lets a non-loopback
         * {@code http://} endpoint through, {@link #build()} logs one warning.
         *
         * @param allow true to accept a non-loopback {@code http://} token endpoint
         * @return this builder
         */
        public Builder allowInsecureHttp(boolean allow) {
            this.allowInsecureHttp = allow;
            return this;
        }

        /**
         * @return the token source
         * @throws IllegalStateException when a required option is missing, or the token endpoint is
         *     plain {@code http://} on another host without {@link #allowInsecureHttp(boolean)}
         */
        public ClientCredentialsTokenSource build() {
            if (tokenEndpoint == null) {
                throw new IllegalStateException("set logtoEndpoint(...) or tokenEndpoint(...)");
            }
            boolean plainHttpOffMachine = HttpUrls.isInsecure(tokenEndpoint);
            if (plainHttpOffMachine && !allowInsecureHttp) {
                throw new IllegalStateException("token endpoint " + describe(tokenEndpoint) + " is plain http on"
                        + " a host that is not loopback: the client secret would cross the network unencrypted;"
                        + " use https, or allowInsecureHttp(true) if the network is trusted");
            }
            if (clientId == null || clientId.isBlank() || clientSecret == null || clientSecret.isEmpty()) {
                throw new IllegalStateException("clientId and clientSecret are required");
            }
            if (resource == null || resource.isBlank()) {
                throw new IllegalStateException("resource is required (for the Management API: <endpoint>/api)");
            }
            if (refreshBefore.isNegative()) {
                throw new IllegalStateException("refreshBefore must not be negative");
            }
            if (plainHttpOffMachine) {
                LOG.warn("token endpoint {} is plain http on a host that is not loopback (allowInsecureHttp):"
                        + " the client secret and tokens cross the network unencrypted", describe(tokenEndpoint));
            }
            return new ClientCredentialsTokenSource(this);
        }

        /** Scheme, host, port and path: never the user-info or query part, which could hold secrets. */
        private static String describe(URI uri) {
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                    + (uri.getRawPath() == null ? "" : uri.getRawPath());
        }
    }
}
