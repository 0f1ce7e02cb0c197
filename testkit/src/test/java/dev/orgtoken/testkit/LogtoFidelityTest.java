package dev.orgtoken.testkit;

import static dev.orgtoken.testkit.TestSupport.basic;
import static dev.orgtoken.testkit.TestSupport.get;
import static dev.orgtoken.testkit.TestSupport.header;
import static dev.orgtoken.testkit.TestSupport.json;
import static dev.orgtoken.testkit.TestSupport.payload;
import static dev.orgtoken.testkit.TestSupport.postForm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jose4j.jwk.JsonWebKeySet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The local issuer against what a real Logto 1.37.1 answered (fixtures/logto-1.37.1-live): JWKS headers,
 * token-endpoint error bodies and headers, and the layout of user, token-exchange and custom-claims
 * tokens.
 */
class LogtoFidelityTest {

    private static final String CLIENT = "r95copaiz7csgids93a8z";
    private static final String SECRET = "app-a-secret";
    private static final String ORG = "wlk09f0o6w4l";

    private LogtoTestIssuer issuer;

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.builder().jwksCacheControl(null).build();   // 1.37.1 sends no Cache-Control
        issuer.registerClient(CLIENT, SECRET)
                .grant("https://api.example.com/global", "read:products", "org:create")
                .grantInOrganization(ORG, "https://api.example.com/org", "read:members");
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    private static String live(String file) {
        return TestSupport.liveResource(file);
    }

    /** Response headers as Logto sent them, lower-case names, from a {@code *.headers.txt} dump. */
    private static Map<String, String> liveHeaders(String file) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : live(file).split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("HTTP ")) {
                out.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"jwks-initial", "jwks-after-rsa-rotation"})
    void theEtagOfARealKeySetIsComputedAsLogtoComputedIt(String name) {
        byte[] body = live(name + ".json").getBytes(StandardCharsets.UTF_8);
        assertEquals(liveHeaders(name + ".headers.txt").get("etag"), Http.etag(body));
    }

    @Test
    void theKeySetIsServedWithLogtosHeadersAndMemberOrder() throws Exception {
        Map<String, String> real = liveHeaders("jwks-initial.headers.txt");
        HttpResponse<String> ours = get(issuer.jwksUri());
        assertEquals(Optional.of(real.get("content-type")), ours.headers().firstValue("Content-Type"));
        assertFalse(real.containsKey("cache-control"));
        assertEquals(Optional.empty(), ours.headers().firstValue("Cache-Control"));
        assertEquals(Optional.of(Http.etag(ours.body().getBytes(StandardCharsets.UTF_8))),
                ours.headers().firstValue("ETag"));

        // EC and RSA keys list their members in Logto's order.
        issuer.rotateNow(KeyType.RSA_2048);
        List<Object> realKeys = keys(live("jwks-after-rsa-rotation.json"));
        List<Object> ourKeys = keys(get(issuer.jwksUri()).body());
        for (int i = 0; i < 2; i++) {
            assertEquals(List.copyOf(((Map<?, ?>) realKeys.get(i)).keySet()),
                    List.copyOf(((Map<?, ?>) ourKeys.get(i)).keySet()));
        }
        new JsonWebKeySet(ours.body());   // and it parses as a key set
    }

    @SuppressWarnings("unchecked")
    private static List<Object> keys(String jwks) {
        return (List<Object>) json(jwks).get("keys");
    }

    @ParameterizedTest
    @ValueSource(strings = {"error-wrong-secret", "error-unknown-resource", "error-app-not-in-organization",
            "error-app-not-in-organization-with-resource"})
    @SuppressWarnings("unchecked")
    void tokenEndpointErrorsHaveLogtosStatusBodyAndChallenge(String name) {
        Map<String, Object> real = json(live(name + ".error.json"));
        List<String> form = new ArrayList<>();
        ((Map<String, Object>) real.get("request")).forEach((k, v) -> {
            form.add(k);
            form.add((String) v);
        });
        String secret = name.equals("error-wrong-secret") ? "not-" + SECRET : SECRET;
        HttpResponse<String> ours = postForm(issuer.tokenEndpoint(), basic(CLIENT, secret), form.toArray(String[]::new));

        assertEquals(((Number) real.get("status")).intValue(), ours.statusCode(), ours.body());
        assertEquals(real.get("body"), json(ours.body()));
        Map<String, Object> headers = (Map<String, Object>) real.get("headers");
        assertEquals(Optional.of(headers.get("cache-control")), ours.headers().firstValue("Cache-Control"));
        Object challenge = headers.get("www-authenticate");
        assertEquals(Optional.ofNullable(challenge).map(c -> ((String) c).replace("http://127.0.0.1:3001/oidc",
                issuer.issuer())), ours.headers().firstValue("WWW-Authenticate"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"user-global", "user-org-resource", "user-organization", "token-exchange-act",
            "user-global-custom-claims", "user-org-resource-custom-claims", "m2m-global", "management-api"})
    void mintedTokensHaveTheLayoutOfRealOnes(String name) {
        String real = live(name + ".jwt").trim();
        Map<String, Object> claims = payload(real);
        TokenBuilder ours = issuer.token().subject((String) claims.get("sub"))
                .clientId((String) claims.get("client_id")).audience((String) claims.get("aud"));
        claims.forEach((claim, value) -> {
            switch (claim) {
                case "organization_id" -> ours.organizationId((String) value);
                case "scope" -> ours.scope((String) value);
                case "act" -> ours.actor((String) ((Map<?, ?>) value).get("sub"));
                case "jti", "sub", "iat", "exp", "client_id", "iss", "aud" -> { }
                default -> ours.claim(claim, value);   // custom claims: roles, fixture
            }
        });
        String jwt = ours.sign();
        assertEquals(List.copyOf(header(real).keySet()), List.copyOf(header(jwt).keySet()));
        assertEquals(List.copyOf(claims.keySet()), List.copyOf(payload(jwt).keySet()), name);
        assertEquals(claims.get("act"), payload(jwt).get("act"));
    }
}
