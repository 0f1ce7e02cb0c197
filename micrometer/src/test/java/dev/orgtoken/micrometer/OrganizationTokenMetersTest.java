package dev.orgtoken.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.rules.PathRule;
import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.servlet.OrganizationTokenFilter;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.TestClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The meters, fed by a real filter on Jetty and a real verifier against the testkit issuer over HTTP. */
class OrganizationTokenMetersTest {
    private static final String API = "https://api.example.com/org";

    private final TestClock clock = new TestClock(Instant.now());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpClient http = HttpClient.newHttpClient();
    private LogtoTestIssuer issuer;
    private OrganizationTokenVerifier verifier;
    private Server server;
    private URI base;

    @BeforeEach
    void start() throws Exception {
        issuer = LogtoTestIssuer.builder().clock(clock).build();
        OrganizationTokenMeters meters = new OrganizationTokenMeters(registry, Tags.of("app", "test"), clock);
        verifier = OrganizationTokenVerifier.builder()
                .logtoEndpoint(issuer.endpoint().toString())
                .clock(clock)
                .jwksTtl(Duration.ofMinutes(1))
                .metrics(meters)
                .build();
        RuleSet rules = RuleSet.builder()
                .defaultAudience(API)
                .rule(PathRule.builder("/health").publicAccess(true).build())
                .rule(PathRule.builder("/api/reports").scopes("read:reports").build())
                .build();
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addFilter(new FilterHolder(new OrganizationTokenFilter(rules, verifier, meters)), "/*",
                EnumSet.allOf(DispatcherType.class));
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.getWriter().write("ok");
            }
        }), "/*");
        server.setHandler(context);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        verifier.close();
        issuer.close();
    }

    private int get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).tag("app", "test").counter().count();
    }

    @Test
    void everyMeterIsRegisteredAtZero() {
        assertEquals(0, count(OrganizationTokenMeters.REQUESTS, "outcome", "accepted", "reason", "none"));
        assertEquals(0, count(OrganizationTokenMeters.REQUESTS, "outcome", "refused", "reason", "missing_token"));
        assertEquals(0, count(OrganizationTokenMeters.REQUESTS, "outcome", "refused", "reason", "keys_unavailable"));
        assertEquals(0, count(OrganizationTokenMeters.JWKS_FETCHES, "result", "not_modified"));
        assertTrue(Double.isNaN(registry.get(OrganizationTokenMeters.JWKS_STALENESS).gauge().value()));
        assertEquals(0, registry.get(OrganizationTokenMeters.COLD_VERIFICATION).timer().count());
    }

    @Test
    void countsPassesRefusalsCacheAndColdVerifications() throws Exception {
        String token = issuer.globalApiToken("user-1", API, "read:reports").sign();
        assertEquals(200, get("/api/reports", token));
        assertEquals(200, get("/api/reports", token));
        assertEquals(200, get("/health", null));                                          // public: not counted
        assertEquals(401, get("/api/reports", null));
        assertEquals(403, get("/api/reports", issuer.globalApiToken("user-1", API).sign()));
        assertEquals(403, get("/nowhere", token));

        assertEquals(2, count(OrganizationTokenMeters.REQUESTS, "outcome", "accepted", "reason", "none"));
        assertEquals(1, count(OrganizationTokenMeters.REQUESTS, "outcome", "refused", "reason", "missing_token"));
        assertEquals(1, count(OrganizationTokenMeters.REQUESTS, "outcome", "refused", "reason", "missing_scopes"));
        assertEquals(1, count(OrganizationTokenMeters.REQUESTS, "outcome", "refused", "reason", "no_matching_rule"));
        assertEquals(1, count(OrganizationTokenMeters.TOKEN_CACHE, "result", "hit"));
        assertEquals(2, count(OrganizationTokenMeters.TOKEN_CACHE, "result", "miss"));
        assertEquals(1, count(OrganizationTokenMeters.JWKS_FETCHES, "result", "fetched"));
        // Two tokens reached the signature check and passed it (the one without the scope too).
        assertEquals(2, registry.get(OrganizationTokenMeters.COLD_VERIFICATION).timer().count());
        assertTrue(registry.get(OrganizationTokenMeters.COLD_VERIFICATION).timer().totalTime(
                java.util.concurrent.TimeUnit.NANOSECONDS) > 0);
    }

    @Test
    void stalenessGrowsWhileRefreshesFailAndResetsOnA304() throws Exception {
        String token = issuer.globalApiToken("user-1", API, "read:reports").sign();
        assertEquals(200, get("/api/reports", token));
        assertEquals(0.0, registry.get(OrganizationTokenMeters.JWKS_STALENESS).gauge().value());

        issuer.respondWithStatus(503);
        clock.advance(Duration.ofMinutes(5));                  // past the TTL: the next request refreshes
        // A new token (a cache hit never looks at the key set) finds it stale and starts a refresh.
        assertEquals(200, get("/api/reports", issuer.globalApiToken("user-2", API, "read:reports").sign()));
        awaitCount(OrganizationTokenMeters.JWKS_FETCHES, "failed", 1);
        assertEquals(300.0, registry.get(OrganizationTokenMeters.JWKS_STALENESS).gauge().value());

        issuer.respondNormally();
        clock.advance(Duration.ofMinutes(1));                  // past the cooldown after the failure
        assertEquals(200, get("/api/reports", issuer.globalApiToken("user-3", API, "read:reports").sign()));
        awaitCount(OrganizationTokenMeters.JWKS_FETCHES, "not_modified", 1);
        assertEquals(0.0, registry.get(OrganizationTokenMeters.JWKS_STALENESS).gauge().value());
    }

    /** Background refreshes finish on their own thread: wait for the count (bounded), not for time. */
    private void awaitCount(String name, String result, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (count(name, "result", result) < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, count(name, "result", result));
    }
}
