package dev.orgtoken.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;

/**
 * {@code POST /oidc/token}: the {@code client_credentials} grant for registered applications, checked
 * and answered the way oidc-provider inside Logto 1.37.1 does it, with Logto's error bodies
 * ({@code code, message, error, error_description}).
 */
final class TokenEndpoint {

    private static final Map<String, String> OIDC_MESSAGES = Map.of(
            "invalid_target", "Invalid resource indicator.",
            "access_denied", "Access denied.",
            "unsupported_grant_type", "Unsupported `grant_type` requested.",
            "invalid_request", "Request is invalid.",
            "invalid_grant", "Grant request is invalid.");

    private final String issuer;
    private final ClientRegistry clients;
    private final Supplier<TokenBuilder> blankToken;
    private final Duration accessTokenTtl;
    private final AtomicInteger requests = new AtomicInteger();

    TokenEndpoint(String issuer, ClientRegistry clients, Supplier<TokenBuilder> blankToken, Duration accessTokenTtl) {
        this.issuer = issuer;
        this.clients = clients;
        this.blankToken = blankToken;
        this.accessTokenTtl = accessTokenTtl;
    }

    int requests() {
        return requests.get();
    }

    void resetCounters() {
        requests.set(0);
    }

    void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
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
        ClientRegistration client = clients.find(clientId);
        if (client == null) {
            oidcError(ex, 400, "invalid_client", "invalid client " + clientId);
            return;
        }
        if (clientSecret == null || !MessageDigest.isEqual(clientSecret.getBytes(StandardCharsets.UTF_8),
                client.clientSecret().getBytes(StandardCharsets.UTF_8))) {
            // oidc-provider challenges a failed client authentication, naming the issuer as the realm.
            ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + issuer
                    + "\", error=\"invalid_client\", error_description=\"client authentication failed\"");
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
        if (resource != null && !clients.isKnownResource(resource)) {
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
        TokenBuilder t = blankToken.get().subject(clientId).clientId(clientId);
        Set<String> granted;
        boolean scopeAlwaysPresent;
        if (resource == null) {
            t.audience(LogtoTestIssuer.ORGANIZATION_AUDIENCE_PREFIX + organizationId);
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

    /** Writes an error the way Logto wraps oidc-provider errors: {@code code, message, error, error_description}. */
    private static void oidcError(HttpExchange ex, int status, String error, String description) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", "oidc." + error);
        body.put("message", OIDC_MESSAGES.getOrDefault(error, "An OIDC error occurred: oidc." + error + "."));
        body.put("error", error);
        body.put("error_description", description);
        Http.sendJson(ex, status, body);
    }
}
