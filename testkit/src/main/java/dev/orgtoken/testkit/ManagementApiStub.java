package dev.orgtoken.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * {@code /api/organizations...}: a stand-in for the few Management API calls a dev mode and its tests
 * need, guarded the way Logto's {@code koaAuth} guards the real one: a bearer token from this issuer for
 * the Management API resource, signed by a key the issuer publishes, with the {@code all} scope.
 *
 * <p>Routes: {@code GET, POST /api/organizations}; {@code GET, DELETE /api/organizations/{id}};
 * {@code GET} (paginated like Logto: {@code page}, {@code page_size} up to 100, {@code Total-Number})
 * and {@code POST /api/organizations/{id}/users}; {@code POST /api/organizations/{id}/applications}.
 */
final class ManagementApiStub {

    private static final String UNAUTHORIZED = "Unauthorized. Please check credentials and its scope.";
    private static final int DEFAULT_PAGE_SIZE = 20;
    private static final int MAX_PAGE_SIZE = 100;

    private final String issuer;
    private final String resource;
    private final Clock clock;
    private final KeyRing keys;
    private final ClientRegistry clients;
    private final Map<String, StubOrganization> organizations = Collections.synchronizedMap(new LinkedHashMap<>());
    /** Organization role name to id: one id per name for the issuer, like a role of Logto's template. */
    private final Map<String, String> roleIds = new ConcurrentHashMap<>();
    private final List<PlannedFailure> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();

    /** Requests that answer a 5xx instead of acting, {@code remaining} times. */
    private record PlannedFailure(String method, Pattern path, int status, AtomicInteger remaining) {
        boolean take(String requestMethod, String requestPath) {
            if (!method.equals(requestMethod) || !path.matcher(requestPath).matches()) {
                return false;
            }
            // Decrement only while positive, so concurrent requests never take more than planned.
            return remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
        }
    }

    ManagementApiStub(String issuer, String resource, Clock clock, KeyRing keys, ClientRegistry clients) {
        this.issuer = issuer;
        this.resource = resource;
        this.clock = clock;
        this.keys = keys;
        this.clients = clients;
    }

    int requests() {
        return requests.get();
    }

    void resetCounters() {
        requests.set(0);
    }

    String createOrganization(String id, String name) {
        StubOrganization org = new StubOrganization(id, name, null, clock.millis());
        if (organizations.putIfAbsent(id, org) != null) {
            throw new IllegalStateException("an organization with id " + id + " exists already");
        }
        return id;
    }

    void addUser(String organizationId, String userId, List<String> roleNames) {
        find(organizationId).addUser(userId, roleNames, clock.millis());
    }

    Map<String, String> organizationNames() {
        Map<String, String> out = new LinkedHashMap<>();
        synchronized (organizations) {
            organizations.forEach((id, org) -> out.put(id, org.name));
        }
        return Collections.unmodifiableMap(out);
    }

    Set<String> organizationUsers(String organizationId) {
        return find(organizationId).users();
    }

    /**
     * Makes the next {@code times} requests with this method and a path matching {@code pathPattern}
     * ({@code *} is one segment) answer {@code status} with Logto's body for an unexpected error,
     * after the token check and without acting.
     */
    void failNext(String method, String pathPattern, int times, int status) {
        String regex = Arrays.stream(pathPattern.split("/", -1))
                .map(segment -> segment.equals("*") ? "[^/]+" : Pattern.quote(segment))
                .reduce((a, b) -> a + "/" + b).orElse("");
        failures.add(new PlannedFailure(method, Pattern.compile(regex), status, new AtomicInteger(times)));
    }

    private StubOrganization find(String organizationId) {
        StubOrganization org = organizations.get(organizationId);
        if (org == null) {
            throw new NoSuchElementException("no organization " + organizationId);
        }
        return org;
    }

    void handle(HttpExchange ex, String path) throws IOException {
        requests.incrementAndGet();
        if (!authorized(ex)) {
            return;
        }
        String method = ex.getRequestMethod();
        for (PlannedFailure f : failures) {
            if (f.take(method, path)) {
                // Logto's error handler answers any unexpected failure with this body.
                Http.sendJson(ex, f.status(), Map.of("message", "Internal server error."));
                return;
            }
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
        if (segments.isEmpty() || !"organizations".equals(segments.get(0)) || segments.size() > 3) {
            Http.notFound(ex);
            return;
        }
        if (segments.size() == 1) {
            organizations(ex, method);
        } else if (segments.size() == 2) {
            organization(ex, method, segments.get(1));
        } else if ("users".equals(segments.get(2))) {
            users(ex, method, segments.get(1));
        } else if ("applications".equals(segments.get(2))) {
            applications(ex, method, segments.get(1));
        } else {
            Http.notFound(ex);
        }
    }

    /** Logto's {@code koaAuth}: a header, the Bearer type, a token it verifies, the {@code all} scope. */
    private boolean authorized(HttpExchange ex) throws IOException {
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || authorization.isBlank()) {
            apiError(ex, 401, "auth.authorization_header_missing", "Authorization header is missing.");
            return false;
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            apiError(ex, 401, "auth.authorization_token_type_not_supported", "Authorization type is not supported.");
            return false;
        }
        String jwt = authorization.substring(7).trim();
        JwtClaims claims = verify(jwt);
        if (claims == null) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("message", UNAUTHORIZED);
            body.put("code", "auth.unauthorized");
            noMatchingKey(jwt).ifPresent(data -> body.put("data", data));
            Http.sendJson(ex, 401, body);
            return false;
        }
        Object scope = claims.getClaimValue("scope");
        if (!(scope instanceof String s) || !Arrays.asList(s.split(" ")).contains("all")) {
            apiError(ex, 403, "auth.forbidden", "Forbidden. Please check your user roles and permissions.");
            return false;
        }
        return true;
    }

    private void organizations(HttpExchange ex, String method) throws IOException {
        if ("POST".equals(method)) {
            Map<String, Object> body = jsonBody(ex);
            Object name = body == null ? null : body.get("name");
            Object description = body == null ? null : body.get("description");
            if (!(name instanceof String n) || n.isEmpty() || (description != null && !(description instanceof String))) {
                apiError(ex, 400, "guard.invalid_input", "The request body is invalid.");
                return;
            }
            StubOrganization org = new StubOrganization(Ids.entityId(), n, (String) description, clock.millis());
            organizations.put(org.id, org);
            Http.sendJson(ex, 201, org.toJson());
        } else if ("GET".equals(method)) {
            List<Object> all = new ArrayList<>();
            synchronized (organizations) {
                organizations.values().forEach(o -> all.add(o.toJson()));
            }
            Http.sendJson(ex, 200, all);
        } else {
            Http.sendEmpty(ex, 405);
        }
    }

    private void organization(HttpExchange ex, String method, String id) throws IOException {
        StubOrganization org = organizations.get(id);
        if (!"GET".equals(method) && !"DELETE".equals(method)) {
            Http.sendEmpty(ex, 405);
        } else if (org == null) {
            notFound(ex, id);
        } else if ("GET".equals(method)) {
            Http.sendJson(ex, 200, org.toJson());
        } else {
            organizations.remove(id);
            Http.sendEmpty(ex, 204);
        }
    }

    private void users(HttpExchange ex, String method, String id) throws IOException {
        StubOrganization org = organizations.get(id);
        if ("GET".equals(method)) {
            int[] page = pagination(ex.getRequestURI().getRawQuery());
            if (page == null) {
                apiError(ex, 400, "guard.invalid_pagination", "The request pagination value is invalid.");
                return;
            }
            // Logto reads the relation table without looking the organization up: an unknown id is an
            // empty list, not a 404.
            ex.getResponseHeaders().set("Total-Number", String.valueOf(org == null ? 0 : org.userCount()));
            Http.sendJson(ex, 200, org == null ? List.of()
                    : org.usersPage((page[0] - 1) * page[1], page[1], role -> roleIds.computeIfAbsent(role,
                            r -> Ids.entityId())));
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
        List<String> ids = stringList(jsonBody(ex), "userIds");
        if (ids == null) {
            apiError(ex, 400, "guard.invalid_input", "The request body is invalid.");
            return;
        }
        org.addUsers(ids, clock.millis());
        Http.sendEmpty(ex, 201);
    }

    private void applications(HttpExchange ex, String method, String id) throws IOException {
        StubOrganization org = organizations.get(id);
        if (!"POST".equals(method)) {
            Http.sendEmpty(ex, 405);
            return;
        }
        if (org == null) {
            notFound(ex, id);
            return;
        }
        List<String> ids = stringList(jsonBody(ex), "applicationIds");
        if (ids == null) {
            apiError(ex, 400, "guard.invalid_input", "The request body is invalid.");
            return;
        }
        for (String appId : ids) {
            if (clients.find(appId) == null) {
                apiError(ex, 422, "entity.relation_foreign_key_not_found", "Cannot find one or more foreign "
                        + "keys. Please check the input and ensure that all referenced entities exist.");
                return;
            }
        }
        ids.forEach(appId -> clients.find(appId).joinOrganization(id));
        Http.sendEmpty(ex, 201);
    }

    /** {@code [page, pageSize]} from the query as Logto's {@code koaPagination} reads it, or {@code null}. */
    private static int[] pagination(String rawQuery) {
        int page = 1;
        int size = DEFAULT_PAGE_SIZE;
        try {
            Map<String, List<String>> query = Http.parseForm(rawQuery == null ? "" : rawQuery);
            if (query.containsKey("page")) {
                page = Integer.parseInt(query.get("page").get(0));
            }
            if (query.containsKey("page_size")) {
                size = Integer.parseInt(query.get("page_size").get(0));
            }
        } catch (IllegalArgumentException e) {   // NumberFormatException, or a bad %-escape
            return null;
        }
        return page < 1 || size < 1 || size > MAX_PAGE_SIZE ? null : new int[] {page, size};
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
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s) || s.isEmpty()) {
                return null;
            }
            out.add(s);
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

    /** Verifies a Management API token against the published keys; {@code null} if it does not pass. */
    private JwtClaims verify(String jwt) {
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKeyResolver((jws, nested) -> publishedKey(jws.getKeyIdHeaderValue())
                        .orElseThrow(() -> new UnresolvableKeyException("no applicable key")).publicKey())
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        "ES256", "ES384", "ES512", "RS256")
                .setExpectedIssuer(issuer)
                .setExpectedAudience(resource)
                .setRequireExpirationTime()
                .setEvaluationTime(NumericDate.fromSeconds(clock.instant().getEpochSecond()))
                .build();
        try {
            return consumer.processToClaims(jwt);
        } catch (InvalidJwtException e) {
            return null;
        }
    }

    /**
     * Logto verifies with its published keys only ({@code createLocalJWKSet(publicJwks)}), so a token
     * whose key was withdrawn is refused even if that key still signs here.
     */
    private Optional<SigningKey> publishedKey(String kid) {
        return keys.published().stream().filter(k -> k.kid().equals(kid)).findFirst();
    }

    /**
     * The {@code data} Logto adds to a 401 when no published key has the token's {@code kid}: the
     * serialized {@code JWKSNoMatchingKey} of the {@code jose} library it verifies with. (Its
     * {@code RequestError} body is {@code message, code, data}; jose's error classes declare
     * {@code code} and {@code message} as fields and set {@code name} in the constructor.)
     */
    private Optional<Map<String, Object>> noMatchingKey(String jwt) {
        Object kid;
        try {
            String header = new String(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))),
                    StandardCharsets.UTF_8);
            Map<String, Object> parsed = Json.parseObject(header);
            kid = parsed == null ? null : parsed.get("kid");
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return Optional.empty();
        }
        if (!(kid instanceof String k) || publishedKey(k).isPresent()) {
            return Optional.empty();
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("code", "ERR_JWKS_NO_MATCHING_KEY");
        data.put("name", "JWKSNoMatchingKey");
        data.put("message", "no applicable key found in the JSON Web Key Set");
        return Optional.of(data);
    }
}
