package dev.orgtoken.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

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
 * the Management API resource, with the {@code all} scope.
 */
final class ManagementApiStub {

    private final String issuer;
    private final String resource;
    private final Clock clock;
    private final KeyRing keys;
    private final ClientRegistry clients;
    private final Map<String, StubOrganization> organizations = Collections.synchronizedMap(new LinkedHashMap<>());
    private final AtomicInteger requests = new AtomicInteger();

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

    String createOrganization(String name) {
        StubOrganization org = new StubOrganization(Ids.entityId(), name, null, clock.millis());
        organizations.put(org.id, org);
        return org.id;
    }

    Map<String, String> organizationNames() {
        Map<String, String> out = new LinkedHashMap<>();
        synchronized (organizations) {
            organizations.forEach((id, org) -> out.put(id, org.name));
        }
        return Collections.unmodifiableMap(out);
    }

    Set<String> organizationUsers(String organizationId) {
        StubOrganization org = organizations.get(organizationId);
        if (org == null) {
            throw new NoSuchElementException("no organization " + organizationId);
        }
        return org.users();
    }

    void handle(HttpExchange ex, String path) throws IOException {
        requests.incrementAndGet();
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
            Http.notFound(ex);
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
        StubOrganization org = organizations.get(id);
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
            Http.notFound(ex);
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
                if (clients.find(appId) == null) {
                    apiError(ex, 422, "entity.relation_foreign_key_not_found", "Cannot find one or more foreign "
                            + "keys. Please check the input and ensure that all referenced entities exist.");
                    return;
                }
            }
            ids.forEach(appId -> clients.find(appId).joinOrganization(id));
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
        StubOrganization org = new StubOrganization(Ids.entityId(), (String) name, (String) description,
                clock.millis());
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
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKeyResolver((jws, nested) -> keys.verificationKey(jws.getKeyIdHeaderValue())
                        .orElseThrow(() -> new UnresolvableKeyException("unknown kid")).publicKey())
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
}
