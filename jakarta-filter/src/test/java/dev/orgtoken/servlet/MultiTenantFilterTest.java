package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.Problems.assertProblem;
import static dev.orgtoken.servlet.Problems.invalidToken;
import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Two Logto tenants in one application, through the filter on Jetty 12 and Tomcat 10.1: two testkit
 * issuers, each serving its own key set over HTTP on loopback, named in the rules file's
 * {@code tenants} map. Tokens of both pass; a rule can accept one tenant only; an unknown issuer is
 * refused without any fetch; and a token signed by one tenant's key that names the other tenant's
 * issuer is refused without the first tenant's keys ever being fetched for it.
 */
class MultiTenantFilterTest {
    static final String RULES = """
            logto:
              jwks-refresh-cooldown: 30s
            tenants:
              cloud:
                endpoint: ${CLOUD}
              selfhosted:
                endpoint: ${SELF_HOSTED}
            audience: https://api.example.com/org
            rules:
              - path: /cloud-only/**
                tenants: [cloud]
              - path: /**
            """;

    private static LogtoTestIssuer cloud;
    private static LogtoTestIssuer selfHosted;
    private static List<Deployment> running;

    @BeforeAll
    static void start() {
        cloud = LogtoTestIssuer.start();
        selfHosted = LogtoTestIssuer.start();
        running = Deployment.onBoth(() -> new OrganizationTokenFilter(RuleSet.load("rules.yaml", new StringReader(RULES),
                Map.of("CLOUD", cloud.endpoint().toString(), "SELF_HOSTED", selfHosted.endpoint().toString())::get)));
    }

    @AfterAll
    static void stop() {
        Deployment.stopAll(running);
        for (LogtoTestIssuer issuer : new LogtoTestIssuer[] {cloud, selfHosted}) {
            if (issuer != null) {
                issuer.close();
            }
        }
    }

    static Stream<Deployment> deployments() {
        return running.stream();
    }

    private static Answer get(Deployment d, String path, String token) {
        return RawHttp.send(d.container().port(), "GET " + path + " HTTP/1.1", "Authorization: Bearer " + token);
    }

    @OnBothContainers
    void tokensOfBothTenantsPassAndARuleMayAcceptOneTenant(Deployment d) {
        int before = d.hits();
        String alice = cloud.globalApiToken("alice", ORG_API).sign();
        String bob = selfHosted.globalApiToken("bob", ORG_API).sign();
        assertEquals(200, get(d, "/reports", alice).status());
        assertEquals("alice", d.app().last().principal());
        assertEquals(200, get(d, "/reports", bob).status());
        assertEquals("bob", d.app().last().principal());
        assertEquals(200, get(d, "/cloud-only/x", alice).status());
        String description = "token issuer is not accepted here";
        assertProblem(get(d, "/cloud-only/x", bob), 401, invalidToken(description), description, bob);
        assertEquals(before + 3, d.hits());
    }

    @OnBothContainers
    void anUnknownIssuerIsRefusedWithoutAFetch(Deployment d) {
        try (LogtoTestIssuer stranger = LogtoTestIssuer.start()) {
            cloud.resetCounters();
            selfHosted.resetCounters();
            String eve = stranger.globalApiToken("eve", ORG_API).sign();
            assertProblem(get(d, "/reports", eve), 401, invalidToken("token issuer is not trusted"),
                    "token issuer is not trusted", eve);
            assertEquals(0, cloud.jwksRequests() + selfHosted.jwksRequests() + stranger.jwksRequests());
        }
    }

    /**
     * The key confusion attempt: the self-hosted tenant's own key signs a token naming the cloud
     * tenant's issuer. With the self-hosted kid, only the cloud key set is consulted (at most one
     * forced refresh of it) and the kid is unknown there; with the cloud tenant's kid, the cloud key
     * checks the signature, which fails. The self-hosted key set is never fetched for either.
     */
    @OnBothContainers
    void aKeyOfOneTenantNeverVerifiesATokenNamingTheOther(Deployment d) {
        assertEquals(200, get(d, "/reports", cloud.globalApiToken("alice", ORG_API).sign()).status());
        assertEquals(200, get(d, "/reports", selfHosted.globalApiToken("bob", ORG_API).sign()).status());
        cloud.resetCounters();
        selfHosted.resetCounters();
        int before = d.hits();

        String selfHostedKid = cloud.globalApiToken("mallory", ORG_API).signedWith(selfHosted.currentKey()).sign();
        assertProblem(get(d, "/reports", selfHostedKid), 401, invalidToken("token signing key is unknown"),
                "token signing key is unknown", selfHostedKid);
        String cloudKid = cloud.globalApiToken("mallory", ORG_API).signedWith(selfHosted.currentKey())
                .kid(cloud.currentKey().kid()).sign();
        assertProblem(get(d, "/reports", cloudKid), 401, invalidToken("token signature is invalid"),
                "token signature is invalid", cloudKid);

        assertEquals(0, selfHosted.jwksRequests(), "the other tenant's keys are never fetched for a cloud token");
        assertTrue(cloud.jwksRequests() <= 1, "at most one forced refresh of the cloud keys: " + cloud.jwksRequests());
        assertEquals(before, d.hits());
    }
}
