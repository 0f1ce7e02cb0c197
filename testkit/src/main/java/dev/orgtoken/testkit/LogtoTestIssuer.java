package dev.orgtoken.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * A small Logto-compatible OIDC issuer on loopback, for tests, a sample app's dev mode and users' own
 * tests.
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
 *   <li>{@code /api/organizations...}: a stand-in for the few Management API calls a dev mode needs.</li>
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

    private static final int MAX_PUBLISHED_KEYS = 3;
    private static final String FIXTURE_ENDPOINT = "http://127.0.0.1:3001";

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI endpoint;
    private final String issuer;
    private final Clock clock;
    private final Duration accessTokenTtl;
    private final KeyType defaultKeyType;
    private final String managementApiResource;
    private final String defaultClientId;
    private final Map<String, Object> discoveryTemplate;
    private final AtomicBoolean closed = new AtomicBoolean();

    private volatile String jwksCacheControl;
    private final Object keyLock = new Object();
    private volatile KeyState keys;
    private final AtomicReference<Fault> fault = new AtomicReference<>(Fault.NORMAL);

    private final AtomicInteger jwksRequests = new AtomicInteger();
    private final AtomicInteger jwksNotModified = new AtomicInteger();
    private final AtomicInteger discoveryRequests = new AtomicInteger();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private final AtomicInteger managementRequests = new AtomicInteger();

    private final Map<String, ClientRegistration> clients = new ConcurrentHashMap<>();
    private final Set<String> knownResources = ConcurrentHashMap.newKeySet();
    private final Map<String, Organization> organizations = Collections.synchronizedMap(new LinkedHashMap<>());

    private LogtoTestIssuer(Builder b) {
        this.clock = b.clock;
        this.accessTokenTtl = b.accessTokenTtl;
        this.defaultKeyType = b.keyType;
        this.managementApiResource = b.managementApiResource;
        this.defaultClientId = b.defaultClientId;
        this.jwksCacheControl = b.jwksCacheControl;
        this.knownResources.add(managementApiResource);
        SigningKey first = b.signingKey != null ? b.signingKey : SigningKey.generate(b.keyType);
        this.keys = KeyState.of(first, true, null, List.of());

        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "logto-test-issuer-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
            this.server = HttpServer.create(new InetSocketAddress(loopback, b.port), 0);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot bind 127.0.0.1:" + b.port, e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        this.endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        this.issuer = endpoint + "/oidc";
        this.discoveryTemplate = withEndpoint(loadDiscoveryTemplate());
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
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    // ==================================================================== addresses

    /**
     * The base address, e.g. {@code http://127.0.0.1:41234} (no trailing slash).
     *
     * @return the endpoint
     */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * The issuer identifier, {@code endpoint + "/oidc"} (the {@code iss} of every token).
     *
     * @return the issuer
     */
    public String issuer() {
        return issuer;
    }

    /**
     * The JWKS address, {@code endpoint + "/oidc/jwks"}.
     *
     * @return the JWKS URI
     */
    public URI jwksUri() {
        return URI.create(issuer + "/jwks");
    }

    /**
     * The discovery document address, {@code endpoint + "/oidc/.well-known/openid-configuration"}.
     *
     * @return the discovery URI
     */
    public URI discoveryUri() {
        return URI.create(issuer + "/.well-known/openid-configuration");
    }

    /**
     * The token endpoint, {@code endpoint + "/oidc/token"}.
     *
     * @return the token endpoint URI
     */
    public URI tokenEndpoint() {
        return URI.create(issuer + "/token");
    }

    /**
     * The Management API resource indicator the stand-in accepts tokens for.
     *
     * @return e.g. {@code https://default.logto.app/api}
     */
    public String managementApiResource() {
        return managementApiResource;
    }

    /**
     * The clock used for {@code iat}, {@code exp} and checking Management API tokens.
     *
     * @return the clock
     */
    public Clock clock() {
        return clock;
    }

    // ==================================================================== minting

    /**
     * A blank access token from the current key: {@code iss}, {@code iat} (now), {@code exp}
     * ({@code iat} + 1 h by default), a random {@code jti}, header {@code typ: at+jwt} and the key's
     * {@code alg} and {@code kid}. Set the rest yourself.
     *
     * @return a new token builder
     */
    public TokenBuilder token() {
        return new TokenBuilder(issuer, clock.instant(), accessTokenTtl, keys.current);
    }

    /**
     * A user token for a global API resource: {@code aud = audience}, {@code client_id} the default
     * client id, {@code scope} absent if no scopes are given (as Logto mints it).
     *
     * @param subject the user id
     * @param audience the API resource indicator
     * @param scopes the granted scopes
     * @return a token builder
     */
    public TokenBuilder globalApiToken(String subject, String audience, String... scopes) {
        return withScopes(token().subject(subject).clientId(defaultClientId).audience(audience), false, scopes);
    }

    /**
     * A user organization token: {@code aud = urn:logto:organization:<id>}, no {@code organization_id}
     * claim, {@code scope} always present ({@code ""} with no scopes, as Logto mints it).
     *
     * @param subject the user id
     * @param organizationId the organization id
     * @param scopes the organization permissions
     * @return a token builder
     */
    public TokenBuilder organizationToken(String subject, String organizationId, String... scopes) {
        return withScopes(token().subject(subject).clientId(defaultClientId)
                .audience(ORGANIZATION_AUDIENCE_PREFIX + organizationId), true, scopes);
    }

    /**
     * A user token for an organization-level API resource: {@code aud = audience} plus
     * {@code organization_id}; {@code scope} absent if no scopes are given.
     *
     * @param subject the user id
     * @param audience the API resource indicator
     * @param organizationId the organization id
     * @param scopes the granted scopes
     * @return a token builder
     */
    public TokenBuilder organizationResourceToken(String subject, String audience, String organizationId,
                                                  String... scopes) {
        return withScopes(token().subject(subject).clientId(defaultClientId).audience(audience)
                .organizationId(organizationId), false, scopes);
    }

    /**
     * A machine-to-machine token: {@code sub == client_id == clientId}, {@code aud = audience}.
     * {@code scope} is absent with no scopes, except for an organization audience
     * ({@code urn:logto:organization:...}), where it is {@code ""}.
     *
     * @param clientId the application id
     * @param audience the API resource indicator (or organization audience)
     * @param scopes the granted scopes
     * @return a token builder
     */
    public TokenBuilder m2mToken(String clientId, String audience, String... scopes) {
        boolean org = audience != null && audience.startsWith(ORGANIZATION_AUDIENCE_PREFIX);
        return withScopes(token().subject(clientId).clientId(clientId).audience(audience), org, scopes);
    }

    /**
     * A machine-to-machine token for the Management API stand-in: {@code aud} the Management API
     * resource, {@code scope: "all"}.
     *
     * @param clientId the application id
     * @return a token builder
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
     * @return the current key
     */
    public SigningKey currentKey() {
        return keys.current;
    }

    /**
     * The keys in the JWKS, in JWKS order: Current (unless removed), Next (if staged), then Previous
     * keys, newest first.
     *
     * @return an immutable list
     */
    public List<SigningKey> publishedKeys() {
        return keys.published;
    }

    /**
     * Rotates to a new key of the issuer's key type, as Logto's "rotate private key" does.
     *
     * @return the new current key
     * @see #rotateNow(KeyType)
     */
    public SigningKey rotateNow() {
        return rotateNow(defaultKeyType);
    }

    /**
     * Rotates to a new key of the given type: it signs from now on and is published first; the old
     * current key stays published as the newest Previous key. A staged Next key stays staged. At most
     * three keys are published: the oldest Previous keys are dropped.
     *
     * @param type the new key's type
     * @return the new current key
     */
    public SigningKey rotateNow(KeyType type) {
        SigningKey fresh = SigningKey.generate(type);
        synchronized (keyLock) {
            KeyState s = keys;
            keys = KeyState.of(fresh, true, s.next, demote(s));
        }
        return fresh;
    }

    /**
     * Generates a key and publishes it as Next (after the current key) without signing with it, so
     * verifiers can learn it before {@link #promoteNextKey()}. Replaces an earlier staged key.
     *
     * @param type the key type
     * @return the staged key
     */
    public SigningKey stageNextKey(KeyType type) {
        SigningKey next = SigningKey.generate(type);
        synchronized (keyLock) {
            KeyState s = keys;
            keys = KeyState.of(s.current, s.currentPublished, next, s.previous);
        }
        return next;
    }

    /**
     * Makes the staged Next key current; the old current key becomes the newest Previous key.
     *
     * @throws IllegalStateException if no key is staged
     */
    public void promoteNextKey() {
        synchronized (keyLock) {
            KeyState s = keys;
            if (s.next == null) {
                throw new IllegalStateException("no Next key is staged");
            }
            keys = KeyState.of(s.next, true, null, demote(s));
        }
    }

    /**
     * Unpublishes a key. Removing the current key leaves it signing (tokens then carry a kid the JWKS
     * does not have) until the next rotation.
     *
     * @param kid the key id
     * @throws IllegalArgumentException if no published key has this kid
     */
    public void removeKey(String kid) {
        synchronized (keyLock) {
            KeyState s = keys;
            if (s.currentPublished && s.current.kid().equals(kid)) {
                keys = KeyState.of(s.current, false, s.next, s.previous);
            } else if (s.next != null && s.next.kid().equals(kid)) {
                keys = KeyState.of(s.current, s.currentPublished, null, s.previous);
            } else {
                List<SigningKey> previous = new ArrayList<>(s.previous);
                if (!previous.removeIf(k -> k.kid().equals(kid))) {
                    throw new IllegalArgumentException("no published key has kid " + kid);
                }
                keys = KeyState.of(s.current, s.currentPublished, s.next, previous);
            }
        }
    }

    private static List<SigningKey> demote(KeyState s) {
        List<SigningKey> previous = new ArrayList<>();
        if (s.currentPublished) {
            previous.add(s.current);
        }
        previous.addAll(s.previous);
        return previous;
    }

    // ==================================================================== faults

    /** Serves the JWKS and discovery endpoints normally again. */
    public void respondNormally() {
        fault.set(Fault.NORMAL);
    }

    /**
     * Answers JWKS and discovery requests with this status and an empty body.
     *
     * @param status the HTTP status, e.g. 500 or 503
     */
    public void respondWithStatus(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("bad status " + status);
        }
        fault.set(new Fault(Fault.Kind.STATUS, status, null, null, Duration.ZERO, null));
    }

    /**
     * Answers JWKS and discovery requests with 200 and this body (garbage, oversized or malformed key
     * sets), without ETag or Cache-Control.
     *
     * @param contentType the Content-Type, or {@code null} for none
     * @param body the body
     */
    public void respondWithBody(String contentType, String body) {
        respondWithBody(200, contentType, body);
    }

    /**
     * Answers JWKS and discovery requests with this status and body, without ETag or Cache-Control.
     *
     * @param status the HTTP status
     * @param contentType the Content-Type, or {@code null} for none
     * @param body the body
     */
    public void respondWithBody(int status, String contentType, String body) {
        Objects.requireNonNull(body, "body");
        fault.set(new Fault(Fault.Kind.BODY, status, contentType, body.getBytes(StandardCharsets.UTF_8),
                Duration.ZERO, null));
    }

    /**
     * Delays JWKS and discovery responses: the serving thread sleeps, then answers normally. Other
     * requests are served meanwhile; {@link #close()} cuts the sleep short.
     *
     * @param delay how long to hold each response
     */
    public void hangFor(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay");
        }
        fault.set(new Fault(Fault.Kind.HANG, 0, null, null, delay, null));
    }

    /**
     * Answers JWKS and discovery requests with {@code 302 Found} and this {@code Location}.
     *
     * @param location where to redirect (another host, say)
     */
    public void redirectTo(URI location) {
        fault.set(new Fault(Fault.Kind.REDIRECT, 302, null, null, Duration.ZERO,
                Objects.requireNonNull(location, "location")));
    }

    /**
     * Changes the JWKS {@code Cache-Control} header from now on.
     *
     * @param cacheControl the header value, or {@code null} to send none (as Logto 1.37.1 does)
     */
    public void setJwksCacheControl(String cacheControl) {
        this.jwksCacheControl = cacheControl;
    }

    // ==================================================================== counters

    /**
     * Requests to {@code /oidc/jwks}, whatever the answer (faults and 304s included).
     *
     * @return the count since start or {@link #resetCounters()}
     */
    public int jwksRequests() {
        return jwksRequests.get();
    }

    /**
     * {@code 304 Not Modified} answers from {@code /oidc/jwks}.
     *
     * @return the count
     */
    public int jwksNotModified() {
        return jwksNotModified.get();
    }

    /**
     * Requests to the discovery document, whatever the answer.
     *
     * @return the count
     */
    public int discoveryRequests() {
        return discoveryRequests.get();
    }

    /**
     * Requests to {@code /oidc/token}, successful or not.
     *
     * @return the count
     */
    public int tokenRequests() {
        return tokenRequests.get();
    }

    /**
     * Requests to the Management API stand-in ({@code /api/...}), whatever the answer.
     *
     * @return the count
     */
    public int managementRequests() {
        return managementRequests.get();
    }

    /** Sets every counter back to zero. */
    public void resetCounters() {
        jwksRequests.set(0);
        jwksNotModified.set(0);
        discoveryRequests.set(0);
        tokenRequests.set(0);
        managementRequests.set(0);
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
     * @param clientId the application id
     * @param clientSecret the secret
     * @return the registration, to add grants to
     */
    public ClientRegistration registerClient(String clientId, String clientSecret) {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        ClientRegistration registration = new ClientRegistration(clientId, clientSecret, knownResources);
        clients.put(clientId, registration);
        return registration;
    }

    /**
     * Registers an application with a generated Logto-style id and secret.
     *
     * @return the registration
     */
    public ClientRegistration registerClient() {
        return registerClient(Ids.applicationId(), Ids.secret());
    }

    /**
     * Removes an application; its credentials stop working.
     *
     * @param clientId the application id
     */
    public void unregisterClient(String clientId) {
        clients.remove(clientId);
    }

    /**
     * Registers an API resource that clients may request even with nothing granted on it (requesting
     * an unregistered resource fails with {@code invalid_target}, as in Logto). Grants register their
     * resources automatically; the Management API resource is always registered.
     *
     * @param resource the API resource indicator
     */
    public void registerResource(String resource) {
        knownResources.add(Objects.requireNonNull(resource, "resource"));
    }

    // ==================================================================== Management API stand-in

    /**
     * Creates an organization in the Management API stand-in, as {@code POST /api/organizations} does.
     *
     * @param name the organization name
     * @return the generated id (12 lowercase letters and digits, like Logto's)
     */
    public String createOrganization(String name) {
        Organization org = new Organization(Ids.entityId(), Objects.requireNonNull(name, "name"), null,
                clock.millis());
        organizations.put(org.id, org);
        return org.id;
    }

    /**
     * The organizations the stand-in holds, by id, with their names.
     *
     * @return an immutable snapshot, in creation order
     */
    public Map<String, String> organizations() {
        Map<String, String> out = new LinkedHashMap<>();
        synchronized (organizations) {
            organizations.forEach((id, org) -> out.put(id, org.name));
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The user ids added to an organization of the stand-in.
     *
     * @param organizationId the organization id
     * @return an immutable snapshot, in the order added
     * @throws NoSuchElementException if the organization does not exist
     */
    public Set<String> organizationUsers(String organizationId) {
        Organization org = organizations.get(organizationId);
        if (org == null) {
            throw new NoSuchElementException("no organization " + organizationId);
        }
        return org.users();
    }

    // ==================================================================== lifecycle

    /** Stops the server at once ({@code stop(0)}) and interrupts requests still being served. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    /**
     * Describes the issuer by its address.
     *
     * @return a short description
     */
    @Override
    public String toString() {
        return "LogtoTestIssuer[" + issuer + "]";
    }

    // ==================================================================== HTTP

    private void handle(HttpExchange ex) {
        try {
            String path = ex.getRequestURI().getRawPath();
            switch (path) {
                case "/oidc/jwks":
                    jwks(ex);
                    break;
                case "/oidc/.well-known/openid-configuration":
                    discovery(ex);
                    break;
                case "/oidc/token":
                    token(ex);
                    break;
                default:
                    if (path.startsWith("/api/")) {
                        management(ex, path);
                    } else {
                        Http.send(ex, 404, "text/plain; charset=utf-8", "Not Found".getBytes(StandardCharsets.UTF_8));
                    }
            }
        } catch (IOException e) {
            // The client went away, or the issuer is closing: nothing more to send.
        } catch (RuntimeException e) {
            // A bug in the testkit: answer 500 (if nothing was sent yet) rather than drop the connection.
            try {
                Http.send(ex, 500, "text/plain; charset=utf-8",
                        ("testkit error: " + e).getBytes(StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException ignored) {
                // headers were already sent
            }
        } finally {
            ex.close();
        }
    }

    private static boolean isGetOrHead(HttpExchange ex) {
        String m = ex.getRequestMethod();
        return "GET".equals(m) || "HEAD".equals(m);
    }

    private static void methodNotAllowed(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        Http.send(ex, 405, "text/plain; charset=utf-8", "Method Not Allowed".getBytes(StandardCharsets.UTF_8));
    }

    /** Applies the current fault; returns whether the normal answer should follow. */
    private boolean applyFault(HttpExchange ex) throws IOException {
        Fault f = fault.get();
        switch (f.kind) {
            case HANG:
                try {
                    Thread.sleep(f.delay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                return true;
            case STATUS:
                Http.sendEmpty(ex, f.status);
                return false;
            case BODY:
                Http.send(ex, f.status, f.contentType, f.body);
                return false;
            case REDIRECT:
                ex.getResponseHeaders().set("Location", f.location.toString());
                Http.sendEmpty(ex, f.status);
                return false;
            default:
                return true;
        }
    }

    private void jwks(HttpExchange ex) throws IOException {
        jwksRequests.incrementAndGet();
        if (!isGetOrHead(ex)) {
            methodNotAllowed(ex);
            return;
        }
        if (!applyFault(ex)) {
            return;
        }
        KeyState s = keys;
        String cacheControl = jwksCacheControl;
        if (cacheControl != null) {
            ex.getResponseHeaders().set("Cache-Control", cacheControl);
        }
        ex.getResponseHeaders().set("ETag", s.etag);
        if (Http.fresh(ex.getRequestHeaders(), s.etag)) {
            jwksNotModified.incrementAndGet();
            Http.sendEmpty(ex, 304);
            return;
        }
        Http.send(ex, 200, Http.JSON, s.jwks);
    }

    private void discovery(HttpExchange ex) throws IOException {
        discoveryRequests.incrementAndGet();
        if (!isGetOrHead(ex)) {
            methodNotAllowed(ex);
            return;
        }
        if (!applyFault(ex)) {
            return;
        }
        Map<String, Object> doc = new LinkedHashMap<>(discoveryTemplate);
        doc.put("id_token_signing_alg_values_supported", List.of(keys.current.algorithm()));
        Http.sendJson(ex, 200, doc);
    }

    private static Map<String, Object> loadDiscoveryTemplate() {
        try (InputStream in = LogtoTestIssuer.class.getResourceAsStream("openid-configuration.json")) {
            if (in == null) {
                throw new IllegalStateException("openid-configuration.json is missing from the testkit jar");
            }
            Map<String, Object> doc = Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            if (doc == null) {
                throw new IllegalStateException("openid-configuration.json is not a JSON object");
            }
            return doc;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Object> withEndpoint(Map<String, Object> fixture) {
        Map<String, Object> out = new LinkedHashMap<>();
        fixture.forEach((k, v) -> out.put(k, v instanceof String && ((String) v).startsWith(FIXTURE_ENDPOINT)
                ? endpoint + ((String) v).substring(FIXTURE_ENDPOINT.length()) : v));
        return Collections.unmodifiableMap(out);
    }

    // -------------------------------------------------------------------- token endpoint

    private void token(HttpExchange ex) throws IOException {
        tokenRequests.incrementAndGet();
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        if (!"POST".equals(ex.getRequestMethod())) {
            oidcError(ex, 404, "invalid_request", "unrecognized route or not allowed method ("
                    + ex.getRequestMethod() + " on /oidc/token)");
            return;
        }
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        if (contentType == null
                || !contentType.toLowerCase().trim().startsWith("application/x-www-form-urlencoded")) {
            oidcError(ex, 400, "invalid_request",
                    "only application/x-www-form-urlencoded content-type bodies are supported on POST /token");
            return;
        }
        Map<String, List<String>> params;
        try {
            params = Http.parseForm(new String(Http.readBody(ex), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | IOException e) {
            oidcError(ex, 400, "invalid_request", "could not parse the request body");
            return;
        }
        for (Map.Entry<String, List<String>> p : params.entrySet()) {
            if (p.getValue().size() > 1 && !"resource".equals(p.getKey())) {
                oidcError(ex, 400, "invalid_request", "'" + p.getKey() + "' parameter must not be provided twice");
                return;
            }
        }

        // Client authentication (client_secret_basic or client_secret_post), as oidc-provider does it.
        String clientId = first(params, "client_id");
        String clientSecret = first(params, "client_secret");
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                decoded = null;
            }
            int colon = decoded == null ? -1 : decoded.indexOf(':');
            if (colon < 0) {
                oidcError(ex, 400, "invalid_request", "invalid authorization header value format");
                return;
            }
            String basicId;
            String basicSecret;
            try {
                basicId = Http.decode(decoded.substring(0, colon));
                basicSecret = Http.decode(decoded.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                oidcError(ex, 400, "invalid_request", "client_id and client_secret in the authorization header"
                        + " are not properly encoded");
                return;
            }
            if (clientSecret != null) {
                oidcError(ex, 400, "invalid_request",
                        "client authentication must only be provided using one mechanism");
                return;
            }
            if (clientId != null && !clientId.equals(basicId)) {
                oidcError(ex, 400, "invalid_request", "mismatch in body and authorization client ids");
                return;
            }
            clientId = basicId;
            clientSecret = basicSecret;
        }
        if (clientId == null || clientId.isEmpty()) {
            oidcError(ex, 400, "invalid_request", "no client authentication mechanism provided");
            return;
        }
        ClientRegistration client = clients.get(clientId);
        if (client == null) {
            oidcError(ex, 400, "invalid_client", "invalid client " + clientId);
            return;
        }
        if (clientSecret == null || !MessageDigest.isEqual(clientSecret.getBytes(StandardCharsets.UTF_8),
                client.clientSecret().getBytes(StandardCharsets.UTF_8))) {
            oidcError(ex, 401, "invalid_client", "client authentication failed");
            return;
        }

        String grantType = first(params, "grant_type");
        if (grantType == null || grantType.isEmpty()) {
            oidcError(ex, 400, "invalid_request", "missing required parameter 'grant_type'");
            return;
        }
        if (!"client_credentials".equals(grantType)) {
            oidcError(ex, 400, "unsupported_grant_type", "unsupported grant_type requested");
            return;
        }
        List<String> resources = params.getOrDefault("resource", List.of());
        if (resources.size() > 1) {
            oidcError(ex, 400, "invalid_target", "only a single resource indicator value is supported for this grant type");
            return;
        }
        String resource = resources.isEmpty() || resources.get(0).isEmpty() ? null : resources.get(0);
        String organizationId = first(params, "organization_id");
        if (organizationId != null && organizationId.isEmpty()) {
            organizationId = null;
        }
        if (resource == null && organizationId == null) {
            oidcError(ex, 400, "invalid_target", "both `resource` and `organization_id` are not provided");
            return;
        }
        if (resource != null && !knownResources.contains(resource)) {
            oidcError(ex, 400, "invalid_target", "resource indicator is missing, or unknown");
            return;
        }
        if (organizationId != null && !client.isMemberOf(organizationId)) {
            oidcError(ex, 403, "access_denied", "app has not associated with the organization");
            return;
        }

        Set<String> requested = new LinkedHashSet<>();
        String scopeParam = first(params, "scope");
        if (scopeParam != null) {
            for (String s : scopeParam.trim().split("\\s+")) {
                if (!s.isEmpty()) {
                    requested.add(s);
                }
            }
        }
        TokenBuilder t = token().subject(clientId).clientId(clientId);
        Set<String> granted;
        boolean scopeAlwaysPresent;
        if (resource == null) {
            t.audience(ORGANIZATION_AUDIENCE_PREFIX + organizationId);
            granted = client.organizationScopes(organizationId);
            scopeAlwaysPresent = true;
        } else if (organizationId == null) {
            t.audience(resource);
            granted = client.grantedScopes(resource);
            scopeAlwaysPresent = false;
        } else {
            t.audience(resource).organizationId(organizationId);
            granted = client.organizationResourceScopes(organizationId, resource);
            scopeAlwaysPresent = false;
        }
        requested.retainAll(granted);
        String scope = String.join(" ", requested);
        if (!requested.isEmpty() || scopeAlwaysPresent) {
            t.scope(scope);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", t.sign());
        body.put("expires_in", accessTokenTtl.getSeconds());
        body.put("token_type", "Bearer");
        if (!requested.isEmpty() || scopeAlwaysPresent) {
            body.put("scope", scope);
        }
        Http.sendJson(ex, 200, body);
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static final Map<String, String> OIDC_MESSAGES = Map.of(
            "invalid_target", "Invalid resource indicator.",
            "access_denied", "Access denied.",
            "unsupported_grant_type", "Unsupported `grant_type` requested.",
            "invalid_request", "Request is invalid.",
            "invalid_grant", "Grant request is invalid.");

    /** Writes an error the way Logto wraps oidc-provider errors: {@code code, message, error, error_description}. */
    private static void oidcError(HttpExchange ex, int status, String error, String description) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", "oidc." + error);
        body.put("message", OIDC_MESSAGES.getOrDefault(error, "An OIDC error occurred: oidc." + error + "."));
        body.put("error", error);
        body.put("error_description", description);
        Http.sendJson(ex, status, body);
    }

    // -------------------------------------------------------------------- Management API stand-in

    private void management(HttpExchange ex, String path) throws IOException {
        managementRequests.incrementAndGet();
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || authorization.isBlank()) {
            apiError(ex, 401, "auth.authorization_header_missing", "Authorization header is missing.");
            return;
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            apiError(ex, 401, "auth.authorization_token_type_not_supported", "Authorization type is not supported.");
            return;
        }
        JwtClaims claims = verifyManagementToken(authorization.substring(7).trim());
        if (claims == null) {
            apiError(ex, 401, "auth.unauthorized", "Unauthorized. Please check credentials and its scope.");
            return;
        }
        Object scope = claims.getClaimValue("scope");
        if (!(scope instanceof String) || !Arrays.asList(((String) scope).split(" ")).contains("all")) {
            apiError(ex, 403, "auth.forbidden", "Forbidden. Please check your user roles and permissions.");
            return;
        }

        List<String> segments = new ArrayList<>();
        try {
            for (String s : path.substring("/api/".length()).split("/", -1)) {
                segments.add(Http.decode(s.replace("+", "%2B")));
            }
        } catch (IllegalArgumentException e) {
            Http.send(ex, 400, "text/plain; charset=utf-8", "Bad Request".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!segments.isEmpty() && segments.get(segments.size() - 1).isEmpty()) {
            segments.remove(segments.size() - 1);
        }
        String method = ex.getRequestMethod();
        if (segments.isEmpty() || !"organizations".equals(segments.get(0)) || segments.size() > 3) {
            Http.send(ex, 404, "text/plain; charset=utf-8", "Not Found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (segments.size() == 1) {
            if ("POST".equals(method)) {
                createOrganization(ex);
            } else if ("GET".equals(method)) {
                List<Object> all = new ArrayList<>();
                synchronized (organizations) {
                    organizations.values().forEach(o -> all.add(o.toJson()));
                }
                Http.sendJson(ex, 200, all);
            } else {
                Http.sendEmpty(ex, 405);
            }
            return;
        }
        String id = segments.get(1);
        Organization org = organizations.get(id);
        if (segments.size() == 2) {
            if (!"GET".equals(method)) {
                Http.sendEmpty(ex, 405);
            } else if (org == null) {
                notFound(ex, id);
            } else {
                Http.sendJson(ex, 200, org.toJson());
            }
            return;
        }
        String relation = segments.get(2);
        if (!"users".equals(relation) && !"applications".equals(relation)) {
            Http.send(ex, 404, "text/plain; charset=utf-8", "Not Found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!"POST".equals(method)) {
            Http.sendEmpty(ex, 405);
            return;
        }
        if (org == null) {
            notFound(ex, id);
            return;
        }
        String member = "users".equals(relation) ? "userIds" : "applicationIds";
        List<String> ids = stringList(jsonBody(ex), member);
        if (ids == null) {
            apiError(ex, 400, "guard.invalid_input", "The request body is invalid.");
            return;
        }
        if ("users".equals(relation)) {
            org.addUsers(ids);
        } else {
            for (String appId : ids) {
                if (!clients.containsKey(appId)) {
                    apiError(ex, 422, "entity.relation_foreign_key_not_found", "Cannot find one or more foreign "
                            + "keys. Please check the input and ensure that all referenced entities exist.");
                    return;
                }
            }
            ids.forEach(appId -> clients.get(appId).joinOrganization(id));
        }
        Http.sendEmpty(ex, 201);
    }

    private void createOrganization(HttpExchange ex) throws IOException {
        Map<String, Object> body = jsonBody(ex);
        Object name = body == null ? null : body.get("name");
        Object description = body == null ? null : body.get("description");
        if (!(name instanceof String) || ((String) name).isEmpty()
                || (description != null && !(description instanceof String))) {
            apiError(ex, 400, "guard.invalid_input", "The request body is invalid.");
            return;
        }
        Organization org = new Organization(Ids.entityId(), (String) name, (String) description, clock.millis());
        organizations.put(org.id, org);
        Http.sendJson(ex, 201, org.toJson());
    }

    /** The request body as a JSON object, or {@code null} if it is not one (or is too large). */
    private static Map<String, Object> jsonBody(HttpExchange ex) {
        try {
            return Json.parseObject(new String(Http.readBody(ex), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        }
    }

    private static List<String> stringList(Map<String, Object> body, String member) {
        Object value = body == null ? null : body.get(member);
        if (!(value instanceof List) || ((List<?>) value).isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) value) {
            if (!(o instanceof String) || ((String) o).isEmpty()) {
                return null;
            }
            out.add((String) o);
        }
        return out;
    }

    private static void notFound(HttpExchange ex, String id) throws IOException {
        apiError(ex, 404, "entity.not_exists_with_id", "The organizations with ID `" + id + "` does not exist.");
    }

    private static void apiError(HttpExchange ex, int status, String code, String message) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message);
        body.put("code", code);
        Http.sendJson(ex, status, body);
    }

    /** Verifies a token this issuer minted for the Management API; {@code null} if it does not pass. */
    private JwtClaims verifyManagementToken(String jwt) {
        KeyState s = keys;
        List<SigningKey> candidates = new ArrayList<>(s.published);
        candidates.add(s.current);
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKeyResolver((jws, nested) -> {
                    String kid = jws.getKeyIdHeaderValue();
                    for (SigningKey k : candidates) {
                        if (k.kid().equals(kid)) {
                            return k.publicKey();
                        }
                    }
                    throw new UnresolvableKeyException("unknown kid");
                })
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        "ES256", "ES384", "ES512", "RS256")
                .setExpectedIssuer(issuer)
                .setExpectedAudience(managementApiResource)
                .setRequireExpirationTime()
                .setEvaluationTime(NumericDate.fromSeconds(clock.instant().getEpochSecond()))
                .build();
        try {
            return consumer.processToClaims(jwt);
        } catch (InvalidJwtException e) {
            return null;
        }
    }

    // ==================================================================== state

    /** An immutable snapshot of the keys, with the JWKS body and ETag computed once. */
    private static final class KeyState {
        final SigningKey current;
        final boolean currentPublished;
        final SigningKey next;
        final List<SigningKey> previous;
        final List<SigningKey> published;
        final byte[] jwks;
        final String etag;

        private KeyState(SigningKey current, boolean currentPublished, SigningKey next, List<SigningKey> previous) {
            this.current = current;
            this.currentPublished = currentPublished;
            this.next = next;
            List<SigningKey> prev = new ArrayList<>(previous);
            int fixed = (currentPublished ? 1 : 0) + (next == null ? 0 : 1);
            while (fixed + prev.size() > MAX_PUBLISHED_KEYS) {
                prev.remove(prev.size() - 1);
            }
            this.previous = List.copyOf(prev);
            List<SigningKey> pub = new ArrayList<>();
            if (currentPublished) {
                pub.add(current);
            }
            if (next != null) {
                pub.add(next);
            }
            pub.addAll(this.previous);
            this.published = List.copyOf(pub);
            List<Object> jwkList = new ArrayList<>();
            pub.forEach(k -> jwkList.add(k.publicJwkMembers()));
            this.jwks = Json.write(Map.of("keys", jwkList)).getBytes(StandardCharsets.UTF_8);
            this.etag = Http.etag(jwks);
        }

        static KeyState of(SigningKey current, boolean currentPublished, SigningKey next, List<SigningKey> previous) {
            return new KeyState(current, currentPublished, next, previous);
        }
    }

    /** What the JWKS and discovery endpoints do instead of answering normally. */
    private static final class Fault {
        enum Kind { NORMAL, STATUS, BODY, HANG, REDIRECT }

        static final Fault NORMAL = new Fault(Kind.NORMAL, 200, null, null, Duration.ZERO, null);

        final Kind kind;
        final int status;
        final String contentType;
        final byte[] body;
        final Duration delay;
        final URI location;

        Fault(Kind kind, int status, String contentType, byte[] body, Duration delay, URI location) {
            this.kind = kind;
            this.status = status;
            this.contentType = contentType;
            this.body = body;
            this.delay = delay;
            this.location = location;
        }
    }

    /** An organization held by the Management API stand-in. */
    private static final class Organization {
        final String id;
        final String name;
        final String description;
        final long createdAt;
        private final Set<String> users = new LinkedHashSet<>();

        Organization(String id, String name, String description, long createdAt) {
            this.id = id;
            this.name = name;
            this.description = description;
            this.createdAt = createdAt;
        }

        synchronized void addUsers(List<String> userIds) {
            users.addAll(userIds);
        }

        synchronized Set<String> users() {
            return Collections.unmodifiableSet(new LinkedHashSet<>(users));
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("name", name);
            m.put("description", description);
            m.put("tenantId", "default");
            m.put("createdAt", createdAt);
            m.put("customData", Map.of());
            m.put("isMfaRequired", false);
            return m;
        }
    }

    // ==================================================================== builder

    /**
     * Settings for a {@link LogtoTestIssuer}; {@link #build()} starts it. Not thread-safe.
     */
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
         * @param port the port
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
         * The type of the first key and of keys made by {@link LogtoTestIssuer#rotateNow()} (default
         * {@link KeyType#EC_P384}).
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
         * @param signingKey the first current key
         * @return this builder
         */
        public Builder signingKey(SigningKey signingKey) {
            this.signingKey = Objects.requireNonNull(signingKey, "signingKey");
            this.keyType = signingKey.type();
            return this;
        }

        /**
         * The clock for {@code iat}/{@code exp}, organization creation times and Management API token
         * checks (default: system UTC).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The JWKS {@code Cache-Control} header (default {@value LogtoTestIssuer#DEFAULT_JWKS_CACHE_CONTROL}).
         *
         * @param cacheControl the value, or {@code null} to send none (as Logto 1.37.1 does)
         * @return this builder
         */
        public Builder jwksCacheControl(String cacheControl) {
            this.jwksCacheControl = cacheControl;
            return this;
        }

        /**
         * The Management API resource indicator (default {@code https://default.logto.app/api}).
         *
         * @param resource the resource indicator
         * @return this builder
         */
        public Builder managementApiResource(String resource) {
            this.managementApiResource = Objects.requireNonNull(resource, "resource");
            return this;
        }

        /**
         * The access token lifetime for minted tokens and the token endpoint (default one hour).
         *
         * @param ttl the lifetime, positive
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
         * The {@code client_id} of user tokens minted by {@link LogtoTestIssuer#globalApiToken} and
         * friends (default {@value LogtoTestIssuer#DEFAULT_CLIENT_ID}).
         *
         * @param clientId the application id
         * @return this builder
         */
        public Builder defaultClientId(String clientId) {
            this.defaultClientId = Objects.requireNonNull(clientId, "clientId");
            return this;
        }

        /**
         * Starts the issuer.
         *
         * @return the running issuer
         * @throws UncheckedIOException if the port cannot be bound
         */
        public LogtoTestIssuer build() {
            LogtoTestIssuer issuer = new LogtoTestIssuer(this);
            issuer.server.start();
            return issuer;
        }
    }
}
