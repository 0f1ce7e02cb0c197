package dev.orgtoken.sample;

import dev.orgtoken.m2m.BearerRequestSender;
import dev.orgtoken.m2m.ClientCredentialsTokenSource;
import dev.orgtoken.m2m.TokenRequestException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jose4j.json.JsonUtil;

/**
 * Logto's Management API, called with the server's own machine-to-machine credentials. Only ever
 * called after the filter verified the user's token and scope; the user's token is never
 * forwarded. Every call goes through a {@link BearerRequestSender}: a 401 (the key that signed the
 * cached token was withdrawn, say) drops that token and the call is retried once with a fresh one.
 */
final class ManagementApi {
    /** Logto's largest page for {@code GET .../users}. */
    static final int MAX_PAGE_SIZE = 100;
    private static final int MAX_BODY_CHARS = 1 << 20;

    private final String endpoint;
    private final BearerRequestSender sender;

    /** A member as {@code GET /api/organizations/{id}/users} lists it, reduced to what the sample shows. */
    record Member(String id, String username, String name, List<String> roles) {}

    /** One page of members and Logto's {@code Total-Number}. */
    record Members(List<Member> members, long total) {}

    ManagementApi(String endpoint, String appId, String appSecret, String resource, boolean allowInsecureHttp) {
        this.endpoint = stripSlash(endpoint);
        ClientCredentialsTokenSource tokens = ClientCredentialsTokenSource.builder()
                .logtoEndpoint(this.endpoint)
                .clientId(appId)
                .clientSecret(appSecret)
                .resource(resource)
                .scopes("all")
                .allowInsecureHttp(allowInsecureHttp)
                .build();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.sender = new BearerRequestSender(http, tokens);
    }

    /**
     * The Management API resource indicator: {@code https://<tenant>.logto.app/api} on Logto Cloud,
     * {@code https://default.logto.app/api} when self-hosted.
     */
    static String defaultResource(String endpoint) {
        URI uri = URI.create(stripSlash(endpoint));
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return host.endsWith(".logto.app") ? "https://" + host + "/api" : "https://default.logto.app/api";
    }

    /** {@code POST /api/organizations {name}}: 201 with the new organization. */
    Map<String, Object> createOrganization(String name) throws ManagementApiException {
        return parse(call("POST", "/api/organizations", Map.of("name", name), 201).body());
    }

    /** {@code POST /api/organizations/{id}/users {userIds}}: adds members. */
    void addUsers(String organizationId, List<String> userIds) throws ManagementApiException {
        call("POST", "/api/organizations/" + segment(organizationId) + "/users", Map.of("userIds", userIds), 201);
    }

    /** {@code DELETE /api/organizations/{id}}: 204. */
    void deleteOrganization(String organizationId) throws ManagementApiException {
        call("DELETE", "/api/organizations/" + segment(organizationId), null, 204);
    }

    /**
     * {@code GET /api/organizations/{id}/users?page=1&page_size=100}: the first page of members with
     * their organization roles, and the total Logto reports.
     */
    Members members(String organizationId) throws ManagementApiException {
        HttpResponse<String> response = call("GET", "/api/organizations/" + segment(organizationId)
                + "/users?page=1&page_size=" + MAX_PAGE_SIZE, null, 200);
        Object parsed = parseValue(response.body());
        if (!(parsed instanceof List<?> users)) {
            throw new ManagementApiException("Management API answered 200 without a list of users", null);
        }
        List<Member> members = new ArrayList<>();
        for (Object u : users) {
            if (u instanceof Map<?, ?> user && user.get("id") instanceof String id) {
                List<String> roles = new ArrayList<>();
                if (user.get("organizationRoles") instanceof List<?> list) {
                    for (Object r : list) {
                        if (r instanceof Map<?, ?> role && role.get("name") instanceof String roleName) {
                            roles.add(roleName);
                        }
                    }
                }
                members.add(new Member(id, string(user.get("username")), string(user.get("name")), List.copyOf(roles)));
            }
        }
        long total = response.headers().firstValueAsLong("Total-Number").orElse(members.size());
        return new Members(List.copyOf(members), total);
    }

    private HttpResponse<String> call(String method, String path, Object body, int expected)
            throws ManagementApiException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + path))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(Json.write(body)))
                .build();
        HttpResponse<String> response;
        try {
            response = sender.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (TokenRequestException e) {
            throw new ManagementApiException("could not get a Management API token: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ManagementApiException("Management API unreachable (" + e.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ManagementApiException("interrupted", e);
        }
        if (response.statusCode() != expected) {
            Map<String, Object> json = parse(response.body());
            Object message = json.getOrDefault("message", json.getOrDefault("error_description", "no message"));
            Object code = json.get("code");
            throw new ManagementApiException("Management API answered " + response.statusCode()
                    + (code == null ? "" : " " + code) + ": " + message, null);
        }
        return response;
    }

    private static Map<String, Object> parse(String body) {
        return parseValue(body) instanceof Map<?, ?> map ? castMap(map) : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    /** Any JSON value (jose4j parses objects only, so arrays are wrapped), or {@code null}. */
    private static Object parseValue(String body) {
        if (body == null || body.isBlank() || body.length() > MAX_BODY_CHARS) {
            return null;
        }
        try {
            return JsonUtil.parseJson("{\"value\":" + body + "}").get("value");
        } catch (Exception e) {
            return null;
        }
    }

    private static String string(Object value) {
        return value instanceof String s ? s : null;
    }

    /** One path segment: an organization id from a request path could hold {@code /}, {@code ?} or {@code %}. */
    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String stripSlash(String s) {
        String out = s.trim();
        while (out.endsWith("/")) {
            out = out.substring(0, out.length() - 1);
        }
        return out;
    }
}
