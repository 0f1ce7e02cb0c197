package dev.orgtoken.testkit;

import static dev.orgtoken.testkit.TestSupport.basic;
import static dev.orgtoken.testkit.TestSupport.getWithBearer;
import static dev.orgtoken.testkit.TestSupport.json;
import static dev.orgtoken.testkit.TestSupport.postForm;
import static dev.orgtoken.testkit.TestSupport.postJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ManagementApiTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    private LogtoTestIssuer issuer;
    private String token;

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
        issuer.registerClient("m2m-admin", "secret").grant(issuer.managementApiResource(), "all");
        HttpResponse<String> r = postForm(issuer.tokenEndpoint(), basic("m2m-admin", "secret"),
                "grant_type", "client_credentials", "resource", "https://default.logto.app/api", "scope", "all");
        assertEquals(200, r.statusCode(), r.body());
        token = (String) json(r.body()).get("access_token");
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    private URI api(String path) {
        return issuer.endpoint().resolve("/api/" + path);
    }

    @Test
    void createsAndReadsOrganizations() {
        HttpResponse<String> created = postJson(api("organizations"), token, "{\"name\":\"Acme\"}");
        assertEquals(201, created.statusCode(), created.body());
        Map<String, Object> org = json(created.body());
        String id = (String) org.get("id");
        assertTrue(id.matches("[a-z0-9]{12}"), id);
        assertEquals("Acme", org.get("name"));
        assertTrue(org.containsKey("description"));
        assertEquals(null, org.get("description"));
        assertEquals("default", org.get("tenantId"));
        assertEquals(NOW.toEpochMilli(), org.get("createdAt"));
        assertEquals(Map.of(), org.get("customData"));
        assertEquals(false, org.get("isMfaRequired"));

        HttpResponse<String> read = getWithBearer(api("organizations/" + id), token);
        assertEquals(200, read.statusCode());
        assertEquals(org, json(read.body()));
        assertEquals(Map.of(id, "Acme"), issuer.organizations());

        HttpResponse<String> missing = getWithBearer(api("organizations/nope"), token);
        assertEquals(404, missing.statusCode());
        assertEquals("entity.not_exists_with_id", json(missing.body()).get("code"));
        assertTrue(((String) json(missing.body()).get("message")).contains("nope"));
    }

    @Test
    void addsUsersToOrganizations() {
        String id = issuer.createOrganization("Beta");
        HttpResponse<String> added = postJson(api("organizations/" + id + "/users"), token, "{\"userIds\":[\"u1\",\"u2\"]}");
        assertEquals(201, added.statusCode());
        assertEquals(Set.of("u1", "u2"), issuer.organizationUsers(id));

        HttpResponse<String> unknown = postJson(api("organizations/nope/users"), token, "{\"userIds\":[\"u1\"]}");
        assertEquals(404, unknown.statusCode());
        assertEquals("entity.not_exists_with_id", json(unknown.body()).get("code"));

        assertEquals(400, postJson(api("organizations/" + id + "/users"), token, "{\"userIds\":\"u1\"}").statusCode());
        assertEquals(400, postJson(api("organizations"), token, "{\"nom\":\"x\"}").statusCode());
        assertEquals(400, postJson(api("organizations"), token, "not json").statusCode());
        assertThrows(NoSuchElementException.class, () -> issuer.organizationUsers("nope"));
    }

    @Test
    void addingAnApplicationLetsItGetOrganizationTokens() {
        issuer.registerClient("svc", "pw");
        String id = issuer.createOrganization("Gamma");
        assertEquals(403, postForm(issuer.tokenEndpoint(), basic("svc", "pw"),
                "grant_type", "client_credentials", "organization_id", id).statusCode());
        assertEquals(201, postJson(api("organizations/" + id + "/applications"), token,
                "{\"applicationIds\":[\"svc\"]}").statusCode());
        assertEquals(200, postForm(issuer.tokenEndpoint(), basic("svc", "pw"),
                "grant_type", "client_credentials", "organization_id", id).statusCode());
        assertEquals(422, postJson(api("organizations/" + id + "/applications"), token,
                "{\"applicationIds\":[\"ghost\"]}").statusCode());
    }

    @Test
    void refusesMissingOrBadTokens() {
        HttpResponse<String> none = postJson(api("organizations"), null, "{\"name\":\"x\"}");
        assertEquals(401, none.statusCode());
        assertEquals(Map.of("code", "auth.authorization_header_missing", "message", "Authorization header is missing."),
                json(none.body()));

        assertEquals(401, TestSupport.get(api("organizations/x"), "Authorization", "Basic abc").statusCode());

        for (String bad : Arrays.asList(
                "garbage",
                issuer.m2mToken("m2m-admin", "https://api.example.com/global", "all").sign(),
                issuer.managementApiToken("m2m-admin").expiresAt(NOW.minusSeconds(1)).sign(),
                issuer.managementApiToken("m2m-admin").issuer("https://elsewhere/oidc").sign(),
                issuer.managementApiToken("m2m-admin").signedWith(SigningKey.generate(KeyType.EC_P384))
                        .kid(issuer.currentKey().kid()).sign())) {
            HttpResponse<String> r = postJson(api("organizations"), bad, "{\"name\":\"x\"}");
            assertEquals(401, r.statusCode(), bad);
            assertEquals("auth.unauthorized", json(r.body()).get("code"));
        }

        HttpResponse<String> noAll = postJson(api("organizations"),
                issuer.m2mToken("m2m-admin", issuer.managementApiResource(), "read").sign(), "{\"name\":\"x\"}");
        assertEquals(403, noAll.statusCode());
        assertEquals("auth.forbidden", json(noAll.body()).get("code"));
        assertEquals(Map.of(), issuer.organizations());
        assertEquals(8, issuer.managementRequests());
    }

    @Test
    void acceptsTokensFromPreviousKeysAndAConfiguredResource() {
        issuer.rotateNow(KeyType.RSA_2048);
        assertEquals(201, postJson(api("organizations"), token, "{\"name\":\"old key\"}").statusCode());
        issuer.rotateNow();
        issuer.rotateNow();
        assertEquals(401, postJson(api("organizations"), token, "{\"name\":\"dropped key\"}").statusCode());

        try (LogtoTestIssuer custom = LogtoTestIssuer.builder().managementApiResource("https://tenant.example/api")
                .accessTokenTtl(Duration.ofMinutes(10)).build()) {
            String t = custom.managementApiToken("admin").sign();
            assertEquals("https://tenant.example/api", TestSupport.payload(t).get("aud"));
            assertEquals(201, postJson(custom.endpoint().resolve("/api/organizations"), t, "{\"name\":\"c\"}").statusCode());
            assertEquals(List.of("c"), List.copyOf(custom.organizations().values()));
        }
    }

    // Key withdrawal, members, deletion and planned failures -------------------------------------

    @Test
    void aTokenWhoseKeyWasWithdrawnIsA401LikeLogtos() {
        String oldKid = issuer.currentKey().kid();
        assertEquals(201, postJson(api("organizations"), token, "{\"name\":\"before\"}").statusCode());
        issuer.rotateNow();
        assertEquals(201, postJson(api("organizations"), token, "{\"name\":\"old key still published\"}")
                .statusCode());
        issuer.removeKey(oldKid);

        HttpResponse<String> refused = postJson(api("organizations"), token, "{\"name\":\"withdrawn\"}");
        assertEquals(401, refused.statusCode());
        Map<String, Object> body = json(refused.body());
        assertEquals(List.of("message", "code", "data"), List.copyOf(body.keySet()));
        assertEquals("auth.unauthorized", body.get("code"));
        assertEquals("Unauthorized. Please check credentials and its scope.", body.get("message"));
        assertEquals(Map.of("code", "ERR_JWKS_NO_MATCHING_KEY", "name", "JWKSNoMatchingKey",
                "message", "no applicable key found in the JSON Web Key Set"), body.get("data"));

        // A token from the token endpoint now is signed by the new key and works.
        HttpResponse<String> fresh = postForm(issuer.tokenEndpoint(), basic("m2m-admin", "secret"),
                "grant_type", "client_credentials", "resource", issuer.managementApiResource(), "scope", "all");
        String newToken = (String) json(fresh.body()).get("access_token");
        assertEquals(201, postJson(api("organizations"), newToken, "{\"name\":\"after\"}").statusCode());
        assertEquals(List.of("before", "old key still published", "after"), List.copyOf(issuer.organizations().values()));
    }

    @Test
    void aWithdrawnCurrentKeyIsRefusedToo() {
        issuer.removeKey(issuer.currentKey().kid());
        HttpResponse<String> refused = postJson(api("organizations"), issuer.managementApiToken("m2m-admin").sign(),
                "{\"name\":\"x\"}");
        assertEquals(401, refused.statusCode());
        assertEquals("auth.unauthorized", json(refused.body()).get("code"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsMembersWithTheirOrganizationRolesPageByPage() {
        issuer.createOrganizationWithId("o1", "One");
        issuer.addOrganizationUser("o1", "carol");
        issuer.addOrganizationUser("o1", "alice", "member", "admin");
        assertEquals(201, postJson(api("organizations/o1/users"), token, "{\"userIds\":[\"bob\",\"alice\"]}")
                .statusCode());
        issuer.addOrganizationUser("o1", "bob", "member");

        HttpResponse<String> all = getWithBearer(api("organizations/o1/users"), token);
        assertEquals(200, all.statusCode(), all.body());
        assertEquals(Optional.of("3"), all.headers().firstValue("Total-Number"));
        List<Map<String, Object>> users = (List<Map<String, Object>>) TestSupport.jsonValue(all.body());
        assertEquals(List.of("alice", "bob", "carol"), users.stream().map(u -> u.get("id")).toList());
        assertEquals(List.of("id", "username", "primaryEmail", "primaryPhone", "name", "avatar", "customData",
                "identities", "lastSignInAt", "createdAt", "updatedAt", "profile", "applicationId", "isSuspended",
                "organizationRoles"), List.copyOf(users.get(0).keySet()));
        assertEquals(NOW.toEpochMilli(), users.get(0).get("createdAt"));
        List<Map<String, Object>> aliceRoles = (List<Map<String, Object>>) users.get(0).get("organizationRoles");
        List<Map<String, Object>> bobRoles = (List<Map<String, Object>>) users.get(1).get("organizationRoles");
        assertEquals(List.of("admin", "member"), aliceRoles.stream().map(r -> r.get("name")).toList());
        assertEquals(aliceRoles.get(1), bobRoles.get(0), "one id per role name");
        assertTrue(((String) aliceRoles.get(0).get("id")).matches("[a-z0-9]{12}"));
        assertEquals(List.of(), users.get(2).get("organizationRoles"));

        HttpResponse<String> second = getWithBearer(api("organizations/o1/users?page=2&page_size=2"), token);
        assertEquals(Optional.of("3"), second.headers().firstValue("Total-Number"));
        assertEquals("carol", ((List<Map<String, Object>>) TestSupport.jsonValue(second.body())).get(0).get("id"));

        HttpResponse<String> tooBig = getWithBearer(api("organizations/o1/users?page_size=101"), token);
        assertEquals(400, tooBig.statusCode());
        assertEquals("guard.invalid_pagination", json(tooBig.body()).get("code"));

        // Logto lists the relation without looking the organization up: an unknown one is empty.
        HttpResponse<String> unknown = getWithBearer(api("organizations/nope/users"), token);
        assertEquals(200, unknown.statusCode());
        assertEquals("[]", unknown.body());
        assertEquals(Optional.of("0"), unknown.headers().firstValue("Total-Number"));

        assertThrows(IllegalStateException.class, () -> issuer.createOrganizationWithId("o1", "again"));
        assertThrows(NoSuchElementException.class, () -> issuer.addOrganizationUser("nope", "alice"));
    }

    @Test
    void deletesOrganizations() {
        String id = issuer.createOrganization("Doomed");
        assertEquals(204, delete(api("organizations/" + id)).statusCode());
        assertEquals(Map.of(), issuer.organizations());
        assertEquals(404, getWithBearer(api("organizations/" + id), token).statusCode());
        HttpResponse<String> again = delete(api("organizations/" + id));
        assertEquals(404, again.statusCode());
        assertEquals("entity.not_exists_with_id", json(again.body()).get("code"));
    }

    @Test
    void plannedFailuresAnswer5xxWithoutActingThenStop() {
        String id = issuer.createOrganization("Half");
        issuer.failManagementRequests("POST", "/api/organizations/*/users", 1, 500);

        // The token is checked first: a refused request does not use the failure up.
        assertEquals(401, postJson(api("organizations/" + id + "/users"), null, "{\"userIds\":[\"u1\"]}")
                .statusCode());
        // Other paths and methods are not affected.
        assertEquals(200, getWithBearer(api("organizations/" + id + "/users"), token).statusCode());

        HttpResponse<String> failed = postJson(api("organizations/" + id + "/users"), token, "{\"userIds\":[\"u1\"]}");
        assertEquals(500, failed.statusCode());
        assertEquals(Map.of("message", "Internal server error."), json(failed.body()));
        assertEquals(Set.of(), issuer.organizationUsers(id));

        assertEquals(201, postJson(api("organizations/" + id + "/users"), token, "{\"userIds\":[\"u1\"]}")
                .statusCode());
        assertEquals(Set.of("u1"), issuer.organizationUsers(id));
        assertThrows(IllegalArgumentException.class, () -> issuer.failManagementRequests("GET", "/api/x", 1, 404));
    }

    private HttpResponse<String> delete(URI uri) {
        return TestSupport.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).DELETE().build());
    }
}
