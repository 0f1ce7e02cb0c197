package dev.orgtoken.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

import com.sun.net.httpserver.HttpExchange;

/**
 * A small Logto-compatible OIDC issuer on loopback, for tests, a sample app's dev mode and users' own tests.
 *
 * <p>It serves, under {@link #endpoint()}:
 * <ul>
 *   <li>{@code GET /oidc/jwks}: the published keys (Current, Next, Previous; at most three), with
 *       {@code Cache-Control} (configurable), a strong Koa-style {@code ETag}, and {@code 304} for a
 *       matching {@code If-None-Match};</li>
 *   <li>{@code GET /oidc/.well-known/openid-configuration}: Logto 1.37.1's discovery document with this
 *       issuer's URLs;</li>
 *   <li>{@code POST /oidc/token}: the {@code client_credentials} grant for {@linkplain #registerClient
 *       registered clients}, with Logto's exact error bodies;</li>
 *   <li>{@code /api/organizations...}: a stand-in for Logto's organization calls (members too), faultable.</li>
 * </ul>
 * Tokens can also be minted directly ({@link #token()}, {@link #globalApiToken}, ...) and the JWKS and
 * discovery endpoints can be made to fail ({@link #respondWithStatus(int)}, {@link #hangFor(Duration)},
 * ...).
 *
 * <pre>{@code
 * try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
 *     String token = issuer.organizationToken("user-1", "org-1", "read:members").sign();
 *     // point the verifier at issuer.issuer() / issuer.jwksUri()
 * }
 * }</pre>
 *
 * <p>Thread-safe: the issuer may be used and called concurrently. Requests are served by a cached pool
 * of daemon threads, so one hanging response does not hold up others.
 *
 * <p>This class is the façade; each job lives in a package-private part: {@link LoopbackServer},
 * {@link KeyRing}, {@link FaultInjector}, {@link JwksEndpoint}, {@link DiscoveryEndpoint},
 * {@link TokenEndpoint} (with the {@link ClientRegistry}) and {@link ManagementApiStub}.
 */
public final class LogtoTestIssuer implements AutoCloseable {

    /** The JWKS {@code Cache-Control} that current Logto sends. */
    public static final String DEFAULT_JWKS_CACHE_CONTROL = "no-cache, max-age=0, must-revalidate";
    /** The Management API resource indicator of Logto's default (OSS) tenant. */
    public static final String DEFAULT_MANAGEMENT_API_RESOURCE = "https://default.logto.app/api";
    /** The access token lifetime Logto uses for API resources. */
    public static final Duration DEFAULT_ACCESS_TOKEN_TTL = Duration.ofHours(1);
    /** The {@code client_id} put in user tokens minted without one. */
    public static final String DEFAULT_CLIENT_ID = "testkit-app";
    /** The prefix of an organization token's audience. */
    public static final String ORGANIZATION_AUDIENCE_PREFIX = "urn:logto:organization:";

    private final LoopbackServer server;
    private final URI endpoint;
    private final String issuer;
    private final Clock clock;
    private final Duration accessTokenTtl;
    private final String managementApiResource;
    private final String defaultClientId;

    private final KeyRing keys;
    private final FaultInjector faults = new FaultInjector();
    private final ClientRegistry clients;
    private final JwksEndpoint jwks;
    private final DiscoveryEndpoint discovery;
    private final TokenEndpoint tokens;
    private final ManagementApiStub management;

    private LogtoTestIssuer(Builder b) {
        this.clock = b.clock;
        this.accessTokenTtl = b.accessTokenTtl;
        this.managementApiResource = b.managementApiResource;
        this.defaultClientId = b.defaultClientId;
        this.keys = new KeyRing(b.signingKey != null ? b.signingKey : SigningKey.generate(b.keyType), b.keyType);

        this.server = new LoopbackServer(b.port, this::route);
        this.endpoint = server.endpoint();
        this.issuer = endpoint + "/oidc";

        this.clients = new ClientRegistry(managementApiResource);
        this.jwks = new JwksEndpoint(keys, faults, b.jwksCacheControl);
        this.discovery = new DiscoveryEndpoint(endpoint, keys, faults);
        this.tokens = new TokenEndpoint(issuer, clients, this::token, accessTokenTtl);
        this.management = new ManagementApiStub(issuer, managementApiResource, clock, keys, clients);
    }

    /**
     * Starts an issuer with Logto's defaults: an EC P-384 key, 127.0.0.1, a random free port.
     *
     * @return the running issuer
     */
    public static LogtoTestIssuer start() {
        return builder().build();
    }

    /**
     * A builder for an issuer with other settings.
     *
     * @return a builder for an issuer with other settings
     */
    public static Builder builder() {
        return new Builder();
    }

    // ==================================================================== addresses

    /**
     * The base address, e.g. {@code http://127.0.0.1:41234} (no trailing slash).
     *
     * @return the base address
     */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * The issuer identifier, {@code endpoint + "/oidc"} (the {@code iss} of every token).
     *
     * @return the issuer identifier, {@code endpoint + "/oidc"} (the {@code iss} of every token)
     */
    public String issuer() {
        return issuer;
    }

    /**
     * The JWKS address, {@code endpoint + "/oidc/jwks"}.
     *
     * @return the JWKS address, {@code endpoint + "/oidc/jwks"}
     */
    public URI jwksUri() {
        return URI.create(issuer + "/jwks");
    }

    /**
     * The discovery document address, {@code endpoint + "/oidc/.well-known/openid-configuration"}.
     *
     * @return the discovery document address, {@code endpoint + "/oidc/.well-known/openid-configuration"}
     */
    public URI discoveryUri() {
        return URI.create(issuer + "/.well-known/openid-configuration");
    }

    /**
     * The token endpoint, {@code endpoint + "/oidc/token"}.
     *
     * @return the token endpoint, {@code endpoint + "/oidc/token"}
     */
    public URI tokenEndpoint() {
        return URI.create(issuer + "/token");
    }

    /**
     * The Management API resource indicator the stand-in accepts (e.g. {@code https://default.logto.app/api}).
     *
     * @return the Management API resource indicator
     */
    public String managementApiResource() {
        return managementApiResource;
    }

    /**
     * The clock used for {@code iat}, {@code exp} and checking Management API tokens.
     *
     * @return the clock used for {@code iat}, {@code exp} and checking Management API tokens
     */
    public Clock clock() {
        return clock;
    }

    // ==================================================================== minting

    /**
     * A blank access token from the current key: {@code iss}, {@code iat} (now), {@code exp} ({@code iat} + 1 h
     * by default), a random {@code jti}, header {@code typ: at+jwt}, the key's {@code alg} and {@code kid}.
     *
     * @return a blank access token from the current key
     */
    public TokenBuilder token() {
        return new TokenBuilder(issuer, clock.instant(), accessTokenTtl, keys.current());
    }

    /**
     * A user token for a global API resource; {@code scope} absent with no scopes (as Logto mints it).
     *
     * @param subject the token's subject (a user id)
     * @param audience the API resource indicator, the token's {@code aud}
     * @param scopes the granted scopes
     * @return a user token for a global API resource
     */
    public TokenBuilder globalApiToken(String subject, String audience, String... scopes) {
        return withScopes(token().subject(subject).clientId(defaultClientId).audience(audience), false, scopes);
    }

    /**
     * A user organization token: {@code aud = urn:logto:organization:<id>}, {@code scope} always present.
     *
     * @param subject the token's subject (a user id)
     * @param organizationId the organization's id
     * @param scopes the granted scopes
     * @return a user organization token
     */
    public TokenBuilder organizationToken(String subject, String organizationId, String... scopes) {
        return withScopes(token().subject(subject).clientId(defaultClientId)
                .audience(ORGANIZATION_AUDIENCE_PREFIX + organizationId), true, scopes);
    }

    /**
     * A user token for an organization-level API resource: {@code aud = audience} plus {@code organization_id}.
     *
     * @param subject the token's subject (a user id)
     * @param audience the API resource indicator, the token's {@code aud}
     * @param organizationId the organization's id
     * @param scopes the granted scopes
     * @return a user token for an organization-level API resource
     */
    public TokenBuilder organizationResourceToken(String subject, String audience, String organizationId,
                                                  String... scopes) {
        return withScopes(token().subject(subject).clientId(defaultClientId).audience(audience)
                .organizationId(organizationId), false, scopes);
    }

    /**
     * A machine-to-machine token: {@code sub == client_id == clientId}; {@code scope} absent with no scopes,
     * except for an organization audience ({@code urn:logto:organization:...}), where it is {@code ""}.
     *
     * @param clientId the application's client id
     * @param audience the API resource indicator, the token's {@code aud}
     * @param scopes the granted scopes
     * @return a machine-to-machine token
     */
    public TokenBuilder m2mToken(String clientId, String audience, String... scopes) {
        boolean org = audience != null && audience.startsWith(ORGANIZATION_AUDIENCE_PREFIX);
        return withScopes(token().subject(clientId).clientId(clientId).audience(audience), org, scopes);
    }

    /**
     * A machine-to-machine token for the Management API stand-in, with {@code scope: "all"}.
     *
     * @param clientId the application's client id
     * @return a machine-to-machine token for the Management API stand-in
     */
    public TokenBuilder managementApiToken(String clientId) {
        return m2mToken(clientId, managementApiResource, "all");
    }

    private static TokenBuilder withScopes(TokenBuilder t, boolean alwaysPresent, String... scopes) {
        if (scopes.length > 0 || alwaysPresent) {
            t.scopes(scopes);
        }
        return t;
    }

    // ==================================================================== keys

    /**
     * The key that signs tokens now.
     *
     * @return the key that signs tokens now
     */
    public SigningKey currentKey() {
        return keys.current();
    }

    /**
     * The keys in the JWKS, in order: Current (unless removed), Next (if staged), Previous (newest first).
     *
     * @return the keys in the JWKS, in order
     */
    public List<SigningKey> publishedKeys() {
        return keys.published();
    }

    /**
     * Rotates to a new key of the issuer's key type, as Logto's "rotate private key" does; returns it.
     *
     * @return the new key
     */
    public SigningKey rotateNow() {
        return keys.rotateNow(keys.defaultType());
    }

    /**
     * Rotates to a new key of this type: it signs and is published first; the old current key becomes the
     * newest Previous key; a staged Next key stays staged; beyond three keys, the oldest Previous is dropped.
     *
     * @param type the key type
     * @return the new key
     */
    public SigningKey rotateNow(KeyType type) {
        return keys.rotateNow(type);
    }

    /**
     * Publishes a new key as Next, not signing until {@link #promoteNextKey()}; replaces an earlier one.
     *
     * @param type the key type
     * @return the staged key
     */
    public SigningKey stageNextKey(KeyType type) {
        return keys.stageNext(type);
    }

    /** Makes the staged Next key current (the old one becomes Previous); {@link IllegalStateException} if none. */
    public void promoteNextKey() {
        keys.promoteNext();
    }

    /**
     * Unpublishes (withdraws) a key: verifiers and the Management API stand-in refuse its tokens, as after
     * Logto deletes a key; a removed current key signs until the next rotation. Unknown kid: IAE.
     *
     * @param kid the key id
     */
    public void removeKey(String kid) {
        keys.remove(kid);
    }

    // ==================================================================== faults

    /** Serves the JWKS and discovery endpoints normally again. */
    public void respondNormally() {
        faults.set(new FaultInjector.Normal());
    }

    /**
     * Answers JWKS and discovery requests with this status (e.g. 500 or 503) and an empty body.
     *
     * @param status the HTTP status
     */
    public void respondWithStatus(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("bad status " + status);
        }
        faults.set(new FaultInjector.Status(status));
    }

    /**
     * Answers JWKS and discovery requests with 200 and this body, without ETag or Cache-Control.
     *
     * @param contentType the {@code Content-Type}, or null for none
     * @param body the response body
     */
    public void respondWithBody(String contentType, String body) {
        respondWithBody(200, contentType, body);
    }

    /**
     * Answers JWKS and discovery requests with this status and body ({@code null} content type: none).
     *
     * @param status the HTTP status
     * @param contentType the {@code Content-Type}, or null for none
     * @param body the response body
     */
    public void respondWithBody(int status, String contentType, String body) {
        Objects.requireNonNull(body, "body");
        faults.set(new FaultInjector.Body(status, contentType, body.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Delays JWKS and discovery responses, then answers normally; {@link #close()} cuts the sleep short.
     *
     * @param delay how long to wait before answering
     */
    public void hangFor(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay");
        }
        faults.set(new FaultInjector.Hang(delay));
    }

    /**
     * Answers JWKS and discovery requests with {@code 302 Found} and this {@code Location} (another host, say).
     *
     * @param location the {@code Location} to redirect to
     */
    public void redirectTo(URI location) {
        faults.set(new FaultInjector.Redirect(Objects.requireNonNull(location, "location")));
    }

    /**
     * Changes the JWKS {@code Cache-Control} header from now on ({@code null}: none, as Logto 1.37.1 sends).
     *
     * @param cacheControl the header value, or null for none
     */
    public void setJwksCacheControl(String cacheControl) {
        jwks.cacheControl(cacheControl);
    }

    // ==================================================================== counters

    /**
     * Requests to {@code /oidc/jwks}, whatever the answer, since start or {@link #resetCounters()}.
     *
     * @return the number of JWKS requests
     */
    public int jwksRequests() {
        return jwks.requests();
    }

    /**
     * {@code 304 Not Modified} answers from {@code /oidc/jwks}.
     *
     * @return the number of 304 answers
     */
    public int jwksNotModified() {
        return jwks.notModified();
    }

    /**
     * Requests to the discovery document, whatever the answer.
     *
     * @return the number of discovery requests
     */
    public int discoveryRequests() {
        return discovery.requests();
    }

    /**
     * Requests to {@code /oidc/token}, successful or not.
     *
     * @return the number of token requests
     */
    public int tokenRequests() {
        return tokens.requests();
    }

    /**
     * Requests to the Management API stand-in ({@code /api/...}), whatever the answer.
     *
     * @return the number of Management API requests
     */
    public int managementRequests() {
        return management.requests();
    }

    /** Sets every counter back to zero. */
    public void resetCounters() {
        jwks.resetCounters();
        discovery.resetCounters();
        tokens.resetCounters();
        management.resetCounters();
    }

    // ==================================================================== M2M clients

    /**
     * Registers (or replaces) a machine-to-machine application for the {@code client_credentials}
     * grant. Say what it may get through the returned registration:
     * <pre>{@code
     * issuer.registerClient("svc", "secret")
     *       .grant("https://api.example.com/global", "read:products")
     *       .joinOrganization("org-1", "read:members")
     *       .grantInOrganization("org-1", "https://api.example.com/org", "invite:member");
     * }</pre>
     *
     * @param clientId the application's client id
     * @param clientSecret the application's secret
     * @return the registration, to grant resources and organizations to
     */
    public ClientRegistration registerClient(String clientId, String clientSecret) {
        return clients.register(clientId, clientSecret);
    }

    /**
     * Registers an application with a generated Logto-style id and secret.
     *
     * @return the registration, with its generated id and secret
     */
    public ClientRegistration registerClient() {
        return registerClient(Ids.applicationId(), Ids.secret());
    }

    /**
     * Removes an application; its credentials stop working.
     *
     * @param clientId the application's client id
     */
    public void unregisterClient(String clientId) {
        clients.unregister(clientId);
    }

    /**
     * Registers an API resource clients may request with nothing granted (unknown ones are {@code invalid_target}).
     *
     * @param resource the API resource indicator
     */
    public void registerResource(String resource) {
        clients.registerResource(resource);
    }

    // ==================================================================== Management API stand-in

    /**
     * Creates an organization in the stand-in, as {@code POST /api/organizations} does; returns its new id.
     *
     * @param name the organization's name
     * @return the new organization's id
     */
    public String createOrganization(String name) {
        return management.createOrganization(Ids.entityId(), Objects.requireNonNull(name, "name"));
    }

    /**
     * Creates an organization with a chosen id (for walkthroughs and fixed test data); the id must be new.
     *
     * @param id the organization's id
     * @param name the organization's name
     * @return the id
     */
    public String createOrganizationWithId(String id, String name) {
        return management.createOrganization(Objects.requireNonNull(id, "id"), Objects.requireNonNull(name, "name"));
    }

    /**
     * Adds a user with organization roles to an organization of the stand-in (as Logto's two calls would).
     *
     * @param organizationId the organization's id
     * @param userId the user's id
     * @param roleNames the user's organization roles
     */
    public void addOrganizationUser(String organizationId, String userId, String... roleNames) {
        management.addUser(organizationId, Objects.requireNonNull(userId, "userId"), List.of(roleNames));
    }

    /**
     * Makes the next {@code times} Management API requests with this method whose path matches
     * {@code pathPattern} ({@code *} is one segment, e.g. {@code /api/organizations/*}{@code /users})
     * answer {@code status} (500 to 599) with Logto's body for an unexpected error, without acting.
     * The token is still checked first.
     *
     * @param method the HTTP method
     * @param pathPattern the path, {@code *} matching one segment
     * @param times how many matching calls fail
     * @param status the HTTP status
     */
    public void failManagementRequests(String method, String pathPattern, int times, int status) {
        if (status < 500 || status > 599 || times < 1) {
            throw new IllegalArgumentException("status must be 5xx and times positive");
        }
        management.failNext(Objects.requireNonNull(method, "method"), Objects.requireNonNull(pathPattern, "path"),
                times, status);
    }

    /**
     * The organizations the stand-in holds, by id, with their names: an immutable snapshot, in creation order.
     *
     * @return the organizations the stand-in holds, by id, with their names
     */
    public Map<String, String> organizations() {
        return management.organizationNames();
    }

    /**
     * The user ids added to an organization of the stand-in; {@link NoSuchElementException} if there is none.
     *
     * @param organizationId the organization's id
     * @return the user ids added to an organization of the stand-in
     */
    public Set<String> organizationUsers(String organizationId) {
        return management.organizationUsers(organizationId);
    }

    // ==================================================================== lifecycle

    /** Stops the server at once ({@code stop(0)}) and interrupts requests still being served. */
    @Override
    public void close() {
        server.close();
    }

    /** Describes the issuer by its address. */
    @Override
    public String toString() {
        return "LogtoTestIssuer[" + issuer + "]";
    }

    private void route(HttpExchange ex, String path) throws IOException {
        switch (path) {
            case "/oidc/jwks" -> jwks.handle(ex);
            case "/oidc/.well-known/openid-configuration" -> discovery.handle(ex);
            case "/oidc/token" -> tokens.handle(ex);
            default -> {
                if (path.startsWith("/api/")) {
                    management.handle(ex, path);
                } else {
                    Http.notFound(ex);
                }
            }
        }
    }

    // ==================================================================== builder

    /** Settings for a {@link LogtoTestIssuer}; {@link #build()} starts it. Not thread-safe. */
    public static final class Builder {
        private int port;
        private KeyType keyType = KeyType.EC_P384;
        private SigningKey signingKey;
        private Clock clock = Clock.systemUTC();
        private String jwksCacheControl = DEFAULT_JWKS_CACHE_CONTROL;
        private String managementApiResource = DEFAULT_MANAGEMENT_API_RESOURCE;
        private Duration accessTokenTtl = DEFAULT_ACCESS_TOKEN_TTL;
        private String defaultClientId = DEFAULT_CLIENT_ID;

        private Builder() {
        }

        /**
         * The port to bind on 127.0.0.1 ({@code 0}, the default, picks a free one).
         *
         * @param port the port, or 0 for a free one
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("bad port " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The type of the first key and of keys made by {@link LogtoTestIssuer#rotateNow()} (default EC P-384).
         *
         * @param keyType the key type
         * @return this builder
         */
        public Builder keyType(KeyType keyType) {
            this.keyType = Objects.requireNonNull(keyType, "keyType");
            return this;
        }

        /**
         * Starts with this key instead of a generated one (to keep the same key across restarts, say).
         *
         * @param signingKey the key
         * @return this builder
         */
        public Builder signingKey(SigningKey signingKey) {
            this.signingKey = Objects.requireNonNull(signingKey, "signingKey");
            this.keyType = signingKey.type();
            return this;
        }

        /**
         * The clock for {@code iat}/{@code exp}, organizations and Management API token checks (default UTC).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The JWKS {@code Cache-Control} ({@code null}: none); default {@link LogtoTestIssuer#DEFAULT_JWKS_CACHE_CONTROL}.
         *
         * @param cacheControl the header value, or null for none
         * @return this builder
         */
        public Builder jwksCacheControl(String cacheControl) {
            this.jwksCacheControl = cacheControl;
            return this;
        }

        /**
         * The Management API resource indicator (default {@code https://default.logto.app/api}).
         *
         * @param resource the API resource indicator
         * @return this builder
         */
        public Builder managementApiResource(String resource) {
            this.managementApiResource = Objects.requireNonNull(resource, "resource");
            return this;
        }

        /**
         * The access token lifetime for minted tokens and the token endpoint (default one hour; positive).
         *
         * @param ttl the lifetime
         * @return this builder
         */
        public Builder accessTokenTtl(Duration ttl) {
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("ttl must be positive");
            }
            this.accessTokenTtl = ttl;
            return this;
        }

        /**
         * The {@code client_id} of minted user tokens (default {@value LogtoTestIssuer#DEFAULT_CLIENT_ID}).
         *
         * @param clientId the application's client id
         * @return this builder
         */
        public Builder defaultClientId(String clientId) {
            this.defaultClientId = Objects.requireNonNull(clientId, "clientId");
            return this;
        }

        /**
         * Starts the issuer; {@link UncheckedIOException} if the port cannot be bound.
         *
         * @return the running issuer
         */
        public LogtoTestIssuer build() {
            LogtoTestIssuer issuer = new LogtoTestIssuer(this);
            issuer.server.start();
            return issuer;
        }
    }
}
