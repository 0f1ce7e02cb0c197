package dev.orgtoken.sample;

import dev.orgtoken.m2m.ClientCredentialsTokenSource;
import dev.orgtoken.m2m.TokenRequestException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jose4j.json.JsonUtil;

/**
 * Logto's Management API, called with the server's own machine-to-machine credentials. Only ever
 * called after the filter verified the user's token and scope; the user's token is never
 * forwarded.
 */
final class ManagementApi {
    private final String endpoint;
    private final ClientCredentialsTokenSource tokens;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ManagementApi(String endpoint, String appId, String appSecret, String resource) {
        this.endpoint = stripSlash(endpoint);
        this.tokens = ClientCredentialsTokenSource.builder()
                .logtoEndpoint(this.endpoint)
                .clientId(appId)
                .clientSecret(appSecret)
                .resource(resource)
                .scopes("all")
                .build();
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
        return call("POST", "/api/organizations", Map.of("name", name), 201);
    }

    /** {@code POST /api/organizations/{id}/users {userIds}}: adds members. */
    void addUsers(String organizationId, List<String> userIds) throws ManagementApiException {
        call("POST", "/api/organizations/" + organizationId + "/users", Map.of("userIds", userIds), 201);
    }

    private Map<String, Object> call(String method, String path, Object body, int expected) throws ManagementApiException {
        String authorization;
        try {
            authorization = tokens.token().authorizationHeader();
        } catch (TokenRequestException e) {
            throw new ManagementApiException("could not get a Management API token: " + e.getMessage(), e);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new ManagementApiException("Management API unreachable (" + e.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ManagementApiException("interrupted", e);
        }
        Map<String, Object> json = parse(response.body());
        if (response.statusCode() == 401) {
            tokens.invalidate();
        }
        if (response.statusCode() != expected) {
            Object message = json.getOrDefault("message", json.getOrDefault("error_description", "no message"));
            Object code = json.get("code");
            throw new ManagementApiException("Management API answered " + response.statusCode()
                    + (code == null ? "" : " " + code) + ": " + message, null);
        }
        return json;
    }

    private static Map<String, Object> parse(String body) {
        if (body == null || body.isBlank() || body.length() > 1 << 20) {
            return Map.of();
        }
        try {
            return JsonUtil.parseJson(body);
        } catch (Exception e) {
            return Map.of();
        }
    }

    private static String stripSlash(String s) {
        String out = s.trim();
        while (out.endsWith("/")) {
            out = out.substring(0, out.length() - 1);
        }
        return out;
    }
}
