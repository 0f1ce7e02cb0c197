package dev.orgtoken.testkit;

import static dev.orgtoken.testkit.TestSupport.basic;
import static dev.orgtoken.testkit.TestSupport.json;
import static dev.orgtoken.testkit.TestSupport.payload;
import static dev.orgtoken.testkit.TestSupport.postForm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenEndpointTest {

    private static final String GLOBAL = "https://api.example.com/global";
    private static final String ORG_API = "https://api.example.com/org";
    private static final String ORG = "uqyzgrr50ixn";
    private static final String ID = "q6qfcoa3x8auo3u287pq2";
    private static final String SECRET = "s3cret:with/odd+chars";

    private LogtoTestIssuer issuer;

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.start();
        issuer.registerClient(ID, SECRET)
                .grant(GLOBAL, "read:products")
                .joinOrganization(ORG, "org:create", "invite:member", "read:members")
                .grantInOrganization(ORG, ORG_API, "read:members", "invite:member");
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    private HttpResponse<String> request(String... pairs) {
        return postForm(issuer.tokenEndpoint(), basic(ID, SECRET), pairs);
    }

    private static void assertFixture(String name, HttpResponse<String> actual) {
        Map<String, Object> expected = TestSupport.fixture("token-endpoint-errors/" + name + ".json");
        assertEquals(((Number) expected.get("status")).intValue(), actual.statusCode(), actual.body());
        assertEquals(expected.get("body"), json(actual.body()));
    }

    @Test
    void clientCredentialsForAGlobalResourceLooksLikeLogtos() {
        HttpResponse<String> r = request("grant_type", "client_credentials", "resource", GLOBAL, "scope", "read:products");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
        assertEquals(Optional.of("no-store"), r.headers().firstValue("Cache-Control"));
        Map<String, Object> body = json(r.body());
        @SuppressWarnings("unchecked")
        Map<String, Object> real = (Map<String, Object>) TestSupport.fixture("token-endpoint-ok-client-credentials.json").get("body");
        assertEquals(List.copyOf(real.keySet()), List.copyOf(body.keySet()));
        assertEquals(3600L, body.get("expires_in"));
        assertEquals("Bearer", body.get("token_type"));
        assertEquals("read:products", body.get("scope"));

        String jwt = (String) body.get("access_token");
        JwtClaims claims = TestSupport.verify(issuer, jwt, GLOBAL, "ES384");
        assertEquals(List.of("jti", "sub", "iat", "exp", "scope", "client_id", "iss", "aud"),
                List.copyOf(payload(jwt).keySet()));
        assertEquals(ID, claims.getClaimValue("sub"));
        assertEquals(ID, claims.getClaimValue("client_id"));
        assertEquals("read:products", claims.getClaimValue("scope"));
        assertEquals(1, issuer.tokenRequests());
    }

    @Test
    void clientSecretPostWorksToo() {
        HttpResponse<String> r = postForm(issuer.tokenEndpoint(), null, "grant_type", "client_credentials",
                "client_id", ID, "client_secret", SECRET, "resource", GLOBAL, "scope", "read:products");
        assertEquals(200, r.statusCode(), r.body());
    }

    @Test
    void scopesAreFilteredToWhatTheClientHolds() {
        Map<String, Object> filtered = json(request("grant_type", "client_credentials", "resource", GLOBAL,
                "scope", "read:products write:products").body());
        assertEquals("read:products", filtered.get("scope"));
        assertEquals("read:products", payload((String) filtered.get("access_token")).get("scope"));

        // nothing held, or no scope parameter: Logto leaves scope out entirely
        Map<String, Object> unheld = json(request("grant_type", "client_credentials", "resource", GLOBAL,
                "scope", "write:products").body());
        assertFalse(unheld.containsKey("scope"));
        assertFalse(payload((String) unheld.get("access_token")).containsKey("scope"));
        Map<String, Object> noParam = json(request("grant_type", "client_credentials", "resource", GLOBAL).body());
        assertFalse(payload((String) noParam.get("access_token")).containsKey("scope"));

        issuer.registerResource("https://api.example.com/other");
        HttpResponse<String> other = request("grant_type", "client_credentials", "resource", "https://api.example.com/other",
                "scope", "read:products");
        assertEquals(200, other.statusCode());
        assertFalse(payload((String) json(other.body()).get("access_token")).containsKey("scope"));
    }

    @Test
    void organizationTokenHasOrganizationAudienceAndAlwaysAScope() {
        Map<String, Object> body = json(request("grant_type", "client_credentials", "organization_id", ORG,
                "scope", "read:members manage:billing").body());
        String jwt = (String) body.get("access_token");
        JwtClaims c = TestSupport.verify(issuer, jwt, "urn:logto:organization:" + ORG, "ES384");
        assertEquals("read:members", c.getClaimValue("scope"));
        assertFalse(c.hasClaim("organization_id"));

        Map<String, Object> none = json(request("grant_type", "client_credentials", "organization_id", ORG).body());
        assertEquals("", none.get("scope"));
        assertEquals("", payload((String) none.get("access_token")).get("scope"));
    }

    @Test
    void organizationResourceTokenCarriesOrganizationId() {
        Map<String, Object> body = json(request("grant_type", "client_credentials", "resource", ORG_API,
                "organization_id", ORG, "scope", "read:members invite:member manage:billing").body());
        String jwt = (String) body.get("access_token");
        assertEquals(List.of("organization_id", "jti", "sub", "iat", "exp", "scope", "client_id", "iss", "aud"),
                List.copyOf(payload(jwt).keySet()));
        JwtClaims c = TestSupport.verify(issuer, jwt, ORG_API, "ES384");
        assertEquals(ORG, c.getClaimValue("organization_id"));
        assertEquals("read:members invite:member", c.getClaimValue("scope"));

        // an organization-level resource without organization_id: the app's global grants (none here)
        Map<String, Object> plain = payload((String) json(request("grant_type", "client_credentials",
                "resource", ORG_API, "scope", "read:members").body()).get("access_token"));
        assertFalse(plain.containsKey("organization_id"));
        assertFalse(plain.containsKey("scope"));

        // a global resource with organization_id: Logto adds the claim anyway
        Map<String, Object> global = payload((String) json(request("grant_type", "client_credentials",
                "resource", GLOBAL, "organization_id", ORG, "scope", "read:products").body()).get("access_token"));
        assertEquals(ORG, global.get("organization_id"));
        assertEquals(GLOBAL, global.get("aud"));
        assertFalse(global.containsKey("scope"));
    }

    @Test
    void tokensFollowKeyRotation() {
        SigningKey rsa = issuer.rotateNow(KeyType.RSA_4096);
        String jwt = (String) json(request("grant_type", "client_credentials", "resource", GLOBAL).body()).get("access_token");
        assertEquals("RS256", TestSupport.header(jwt).get("alg"));
        assertEquals(rsa.kid(), TestSupport.header(jwt).get("kid"));
        TestSupport.verify(issuer, jwt, GLOBAL, "RS256");
    }

    @Test
    void badSecret() {
        assertFixture("err-bad-secret", postForm(issuer.tokenEndpoint(), basic(ID, "wrong"),
                "grant_type", "client_credentials", "resource", GLOBAL));
        assertFixture("err-bad-secret", postForm(issuer.tokenEndpoint(), null,
                "grant_type", "client_credentials", "client_id", ID, "resource", GLOBAL));
    }

    @Test
    void unknownClient() {
        assertFixture("err-unknown-client", postForm(issuer.tokenEndpoint(), basic("no-such-app", "x"),
                "grant_type", "client_credentials", "resource", GLOBAL));
        issuer.unregisterClient(ID);
        HttpResponse<String> r = request("grant_type", "client_credentials", "resource", GLOBAL);
        assertEquals(400, r.statusCode());
        assertEquals("invalid client " + ID, json(r.body()).get("error_description"));
    }

    @Test
    void unknownResource() {
        assertFixture("err-unknown-resource", request("grant_type", "client_credentials",
                "resource", "https://api.example.com/nope"));
    }

    @Test
    void unsupportedGrant() {
        assertFixture("err-unsupported-grant", request("grant_type", "password", "resource", GLOBAL));
    }

    @Test
    void neitherResourceNorOrganization() {
        assertFixture("err-no-resource-no-organization", request("grant_type", "client_credentials", "scope", "read:products"));
    }

    @Test
    void organizationTheClientIsNotIn() {
        assertFixture("err-org-not-member", request("grant_type", "client_credentials", "organization_id", "other-org"));
        assertFixture("err-org-resource-org-not-member", request("grant_type", "client_credentials",
                "resource", ORG_API, "organization_id", "other-org"));
        issuer.registerClient(ID, SECRET).grant(GLOBAL).joinOrganization("other-org");
        assertEquals(200, request("grant_type", "client_credentials", "organization_id", "other-org").statusCode());
    }

    @Test
    void malformedRequestsGetInvalidRequest() {
        Map<String, Object> noAuth = json(postForm(issuer.tokenEndpoint(), null, "grant_type", "client_credentials").body());
        assertEquals(Map.of("code", "oidc.invalid_request", "message", "Request is invalid.", "error", "invalid_request",
                "error_description", "no client authentication mechanism provided"), noAuth);

        HttpResponse<String> noGrant = request("resource", GLOBAL);
        assertEquals(400, noGrant.statusCode());
        assertEquals("missing required parameter 'grant_type'", json(noGrant.body()).get("error_description"));

        HttpResponse<String> twice = request("grant_type", "client_credentials", "grant_type", "client_credentials");
        assertEquals(400, twice.statusCode());
        assertEquals("invalid_request", json(twice.body()).get("error"));

        HttpResponse<String> both = postForm(issuer.tokenEndpoint(), basic(ID, SECRET), "client_secret", SECRET,
                "grant_type", "client_credentials", "resource", GLOBAL);
        assertEquals(400, both.statusCode());

        HttpResponse<String> asJson = TestSupport.send(HttpRequest.newBuilder(issuer.tokenEndpoint())
                .header("Content-Type", "application/json").header("Authorization", basic(ID, SECRET))
                .POST(HttpRequest.BodyPublishers.ofString("{\"grant_type\":\"client_credentials\"}")).build());
        assertEquals(400, asJson.statusCode());
        assertEquals("invalid_request", json(asJson.body()).get("error"));

        HttpResponse<String> get = TestSupport.get(issuer.tokenEndpoint());
        assertNotEquals(200, get.statusCode());
        assertEquals(6, issuer.tokenRequests());
    }

    @Test
    void generatedClientsLookLikeLogtoApps() {
        ClientRegistration c = issuer.registerClient().grant(GLOBAL, "read:products");
        assertTrue(c.clientId().matches("[a-z0-9]{21}"), c.clientId());
        HttpResponse<String> r = postForm(issuer.tokenEndpoint(), basic(c.clientId(), c.clientSecret()),
                "grant_type", "client_credentials", "resource", GLOBAL, "scope", "read:products");
        assertEquals(200, r.statusCode());
        assertEquals(c.clientId(), payload((String) json(r.body()).get("access_token")).get("sub"));
    }
}
