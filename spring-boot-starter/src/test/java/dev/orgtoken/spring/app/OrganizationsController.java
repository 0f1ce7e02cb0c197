package dev.orgtoken.spring.app;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import dev.orgtoken.TokenRejectedException;
import dev.orgtoken.VerifiedToken;
import dev.orgtoken.m2m.BearerRequestSender;
import dev.orgtoken.m2m.ClientCredentialsTokenSource;
import dev.orgtoken.m2m.TokenRequestException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** The test application's endpoints; the rules file decides who reaches each. */
@RestController
class OrganizationsController {
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    private final OrganizationTokenVerifier verifier;
    private final String endpoint;
    private final String managementClientId;
    private final String managementClientSecret;
    private final String managementResource;
    private volatile BearerRequestSender managementApi;

    OrganizationsController(OrganizationTokenVerifier verifier, @Value("${LOGTO_ENDPOINT}") String endpoint,
            @Value("${app.management.client-id}") String clientId,
            @Value("${app.management.client-secret}") String clientSecret,
            @Value("${app.management.resource}") String resource) {
        this.verifier = verifier;
        this.endpoint = endpoint;
        this.managementClientId = clientId;
        this.managementClientSecret = clientSecret;
        this.managementResource = resource;
    }

    @GetMapping("/health")
    Map<String, Object> health(Optional<VerifiedToken> token) {
        return Map.of("status", "up", "authenticated", token.isPresent());
    }

    @GetMapping("/api/organizations/{organizationId}/members")
    Map<String, Object> members(@PathVariable("organizationId") String organizationId, VerifiedToken token) {
        return Map.of("organization", organizationId, "caller", token.subject(), "scopes", token.scopes());
    }

    /** The verifier bean, used in code on a path the rules leave public. */
    @GetMapping("/public/token-check")
    ResponseEntity<Map<String, Object>> tokenCheck(@RequestHeader("X-Token") String token) {
        try {
            VerifiedToken verified = verifier.verify(token, Requirements.audience("https://api.example.com/org"));
            return ResponseEntity.ok(Map.of("subject", verified.subject()));
        } catch (TokenRejectedException e) {
            return ResponseEntity.status(e.errorCode().httpStatus()).body(Map.of("reason", e.reason().name()));
        }
    }

    /**
     * Logto's Management API pattern: the filter checked the user's token and {@code org:create}
     * first; only then does the server call the Management API, with its own client-credentials
     * token, never the user's.
     */
    @PostMapping("/api/organizations")
    ResponseEntity<Map<String, Object>> create(@RequestBody Map<String, String> body, VerifiedToken caller)
            throws IOException, InterruptedException, TokenRequestException {
        HttpResponse<String> created = managementApi().send(json("/api/organizations",
                "{\"name\":\"" + body.getOrDefault("name", "unnamed").replaceAll("[^A-Za-z0-9 ]", "") + "\"}"),
                HttpResponse.BodyHandlers.ofString());
        Matcher id = ID.matcher(created.body());
        if (created.statusCode() != 201 || !id.find()) {
            return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(Map.of("managementApi", created.statusCode()));
        }
        HttpResponse<String> added = managementApi().send(json("/api/organizations/" + id.group(1) + "/users",
                "{\"userIds\":[\"" + caller.subject() + "\"]}"), HttpResponse.BodyHandlers.ofString());
        if (added.statusCode() != 201) {
            return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(Map.of("managementApi", added.statusCode()));
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("id", id.group(1), "member", caller.subject()));
    }

    private HttpRequest json(String path, String body) {
        return HttpRequest.newBuilder(URI.create(endpoint + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private BearerRequestSender managementApi() {
        BearerRequestSender sender = managementApi;
        if (sender == null) {
            sender = new BearerRequestSender(HttpClient.newHttpClient(), ClientCredentialsTokenSource.builder()
                    .logtoEndpoint(endpoint)
                    .clientId(managementClientId)
                    .clientSecret(managementClientSecret)
                    .resource(managementResource)
                    .scopes("all")
                    .build());
            managementApi = sender;
        }
        return sender;
    }
}
