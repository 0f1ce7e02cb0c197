package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.Problems.assertProblem;
import static dev.orgtoken.servlet.Problems.invalidToken;
import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.testkit.LogtoTestIssuer;
import io.restassured.path.json.JsonPath;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Issue 14 through the filter, on Jetty 12 and Tomcat 10.1, over real HTTP with real tokens: roles
 * (all of them, and {@code isUserInRole}), the actor policy, the client allow-list with the file's
 * default, the subject kind, and opaque tokens. Each feature is accepted and refused, and a refusal
 * never reaches the application or echoes the token.
 */
class AuthorizationFeaturesTest {
    static final String RULES = """
            logto:
              endpoint: ${LOGTO_ENDPOINT}
              roles-claim: roles
            audience: https://api.example.com/org
            clients: [testkit-app, spa, m2m-app]
            rules:
              - path: /billing/**
                roles: [admin, billing]
              - path: /no-impersonation/**
                actor: deny
              - path: /delegated/**
                actor: require
              - path: /console/**
                clients: [admin-console]
              - path: /any-client/**
                clients: any
              - path: /jobs/**
                subject: m2m
              - path: /people/**
                subject: user
              - path: /**
            """;
    private static final String FORBIDDEN_CHALLENGE =
            "Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"%s\"";

    private static LogtoTestIssuer issuer;
    private static List<Deployment> running;

    @BeforeAll
    static void start() {
        issuer = LogtoTestIssuer.start();
        running = Deployment.onBoth(() -> new OrganizationTokenFilter(RuleSet.load("rules.yaml", new StringReader(RULES),
                Map.of("LOGTO_ENDPOINT", issuer.endpoint().toString())::get)));
    }

    @AfterAll
    static void stop() {
        Deployment.stopAll(running);
        if (issuer != null) {
            issuer.close();
        }
    }

    static Stream<Deployment> deployments() {
        return running.stream();
    }

    private static Answer get(Deployment d, String path, String token) {
        return RawHttp.send(d.container().port(), "GET " + path + " HTTP/1.1", "Authorization: Bearer " + token);
    }

    /** A 403 for a valid token this rule does not allow: the description, no scope attribute. */
    private static void assertForbidden(Answer answer, String description, String token) {
        assertProblem(answer, 403, String.format(FORBIDDEN_CHALLENGE, description), description, token);
    }

    @OnBothContainers
    void rolesAllOfThemAndIsUserInRole(Deployment d) {
        int before = d.hits();
        String both = issuer.globalApiToken("u-both", ORG_API, "read:members").claim("roles", List.of("admin", "billing"))
                .sign();
        JsonPath seen = d.request().header("Authorization", "Bearer " + both)
                .queryParam("roles", "admin,billing,read:members,auditor").get("/billing/invoices")
                .then().statusCode(200).extract().jsonPath();
        // isUserInRole: each granted scope and each value of the roles claim.
        assertEquals(Map.of("admin", true, "billing", true, "read:members", true, "auditor", false), seen.getMap("roles"));

        String adminOnly = issuer.globalApiToken("u-admin", ORG_API).claim("roles", List.of("admin")).sign();
        assertForbidden(get(d, "/billing/invoices", adminOnly), "token lacks required roles", adminOnly);
        String scopesNotRoles = issuer.globalApiToken("u-scopes", ORG_API, "admin", "billing").sign();
        assertForbidden(get(d, "/billing/invoices", scopesNotRoles), "token lacks required roles", scopesNotRoles);
        for (Object illTyped : List.of(7, Map.of("admin", true), List.of("admin", 3), "")) {
            // Never a 500, never a pass: no roles.
            String token = issuer.globalApiToken("u-odd", ORG_API).claim("roles", illTyped).sign();
            assertForbidden(get(d, "/billing/invoices", token), "token lacks required roles", token);
        }
        assertEquals(before + 1, d.hits());
    }

    @OnBothContainers
    void theActorPolicy(Deployment d) {
        int before = d.hits();
        String user = issuer.globalApiToken("customer-7", ORG_API).sign();
        String impersonation = issuer.globalApiToken("customer-7", ORG_API).actor("agent-3").sign();
        String oddAct = issuer.globalApiToken("customer-7", ORG_API).claim("act", List.of("agent-3")).sign();
        assertEquals(200, get(d, "/no-impersonation/x", user).status());
        String deny = "token acts for another subject (act); impersonation is not allowed here";
        assertForbidden(get(d, "/no-impersonation/x", impersonation), deny, impersonation);
        assertForbidden(get(d, "/no-impersonation/x", oddAct), deny, oddAct);
        assertEquals(200, get(d, "/delegated/x", impersonation).status());
        assertEquals("customer-7", d.app().last().principal(), "the principal is the subject, never the actor");
        String require = "token has no actor (act); only delegated tokens are accepted here";
        assertForbidden(get(d, "/delegated/x", user), require, user);
        assertForbidden(get(d, "/delegated/x", oddAct), require, oddAct);
        assertEquals(200, get(d, "/elsewhere", impersonation).status(), "allow is the default");
        assertEquals(before + 3, d.hits());
    }

    @OnBothContainers
    void theClientAllowListAndTheFilesDefault(Deployment d) {
        int before = d.hits();
        String console = issuer.globalApiToken("u1", ORG_API).clientId("admin-console").sign();
        String spa = issuer.globalApiToken("u1", ORG_API).clientId("spa").sign();
        String rogue = issuer.globalApiToken("u1", ORG_API).clientId("rogue-app").sign();
        String description = "token was issued to a client that is not allowed here";
        assertEquals(200, get(d, "/console/users", console).status());
        assertForbidden(get(d, "/console/users", spa), description, spa);
        assertEquals(200, get(d, "/elsewhere", spa).status(), "the file's default list");
        assertForbidden(get(d, "/elsewhere", rogue), description, rogue);
        assertForbidden(get(d, "/elsewhere", console), description, console);
        assertEquals(200, get(d, "/any-client/x", rogue).status(), "clients: any");
        assertEquals(before + 3, d.hits());
    }

    @OnBothContainers
    void theSubjectKind(Deployment d) {
        int before = d.hits();
        String m2m = issuer.m2mToken("m2m-app", ORG_API).sign();
        String user = issuer.globalApiToken("u1", ORG_API).sign();
        assertEquals(200, get(d, "/jobs/run", m2m).status());
        assertForbidden(get(d, "/jobs/run", user), "a user token is not accepted here", user);
        assertEquals(200, get(d, "/people/me", user).status());
        assertForbidden(get(d, "/people/me", m2m), "a machine-to-machine token is not accepted here", m2m);
        assertEquals(before + 2, d.hits());
    }

    @OnBothContainers
    void anOpaqueTokenIsToldToAskForAJwt(Deployment d) {
        int before = d.hits();
        issuer.resetCounters();
        String opaque = "mG0MsLC2r8Qq9rPyYdP4x3oZt7n1Vb_K-eH5uWjA0sX";
        String description = "token is opaque; request a JWT access token for an API resource (resource=...)";
        assertProblem(get(d, "/elsewhere", opaque), 401, invalidToken(description), description, opaque);
        assertEquals(0, issuer.jwksRequests(), "no network call");
        assertEquals(before, d.hits());
    }
}
