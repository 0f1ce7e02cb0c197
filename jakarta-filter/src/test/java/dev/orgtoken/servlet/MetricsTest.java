package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orgtoken.RejectionReason;
import dev.orgtoken.VerifierCounters;
import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.SigningKey;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The filter that owns its verifier publishes the verifier's {@link VerifierCounters} and its own
 * {@link FilterCounters} as servlet-context attributes; every answer is counted once: accepted or
 * under its token rejection reason by the verifier, or under its {@link RequestRefusal} by the
 * filter, and each label matches what the client saw.
 */
class MetricsTest {
    private static LogtoTestIssuer issuer;
    private static List<Deployment> running;

    @BeforeAll
    static void start() {
        issuer = LogtoTestIssuer.start();
        running = Deployment.onBoth(() -> new OrganizationTokenFilter(TestRules.load(issuer.endpoint())));
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

    @OnBothContainers
    void acceptedAndRejectedByReason(Deployment d) {
        VerifierCounters counters = d.counters();
        FilterCounters refusals = d.filterCounters();
        long accepted = counters.acceptedCount();
        Map<RejectionReason, Long> before = snapshot(counters);
        Map<RequestRefusal, Long> refusedBefore = snapshot(refusals);

        String token = issuer.organizationResourceToken("user-1", ORG_API, "o1", "read:members").sign();
        String other = issuer.organizationResourceToken("user-1", ORG_API, "o2", "read:members").sign();
        String expired = issuer.globalApiToken("u", ORG_API).issuedAt(Instant.now().minus(Duration.ofHours(2)))
                .expiresAt(Instant.now().minus(Duration.ofHours(1))).sign();
        String forged = issuer.globalApiToken("u", ORG_API).signedWith(SigningKey.generate(KeyType.EC_P384))
                .kid(issuer.currentKey().kid()).sign();
        String bearer = "Bearer ";

        d.request().header("Authorization", bearer + token).get("/api/me").then().statusCode(200);
        d.request().header("Authorization", bearer + token).get("/api/organizations/o1/members").then().statusCode(200);
        d.request().get("/health").then().statusCode(200);                                   // public: not counted
        d.request().get("/api/me").then().statusCode(401);                                   // MISSING_TOKEN
        d.request().header("Authorization", "Bearer").get("/api/me").then().statusCode(400);     // MALFORMED_REQUEST
        d.request().header("Authorization", "Bearer a b").get("/api/me").then().statusCode(401); // MALFORMED_TOKEN
        d.request().header("Authorization", bearer + other).get("/api/organizations/o1/members")
                .then().statusCode(403);                                                     // WRONG_ORGANIZATION
        d.request().header("Authorization", bearer + expired).get("/api/me").then().statusCode(401); // EXPIRED
        d.request().header("Authorization", bearer + token).get("/admin").then().statusCode(403);    // NO_MATCHING_RULE
        Answer ambiguous = RawHttp.send(d.container().port(), "GET /api/me;x=y HTTP/1.1");      // AMBIGUOUS_PATH
        assertEquals(400, ambiguous.status());
        d.request().header("Authorization", bearer + forged).get("/api/me").then().statusCode(401);   // BAD_SIGNATURE
        d.request().header("Authorization", bearer + token).delete("/api/organizations/o1/members")
                .then().statusCode(405);                                                     // METHOD_NOT_ALLOWED

        assertEquals(accepted + 2, counters.acceptedCount(), counters::toString);
        Map<RejectionReason, Long> expected = new EnumMap<>(before);
        for (RejectionReason r : List.of(RejectionReason.WRONG_ORGANIZATION, RejectionReason.EXPIRED,
                RejectionReason.BAD_SIGNATURE, RejectionReason.MALFORMED_TOKEN)) {
            expected.merge(r, 1L, Long::sum);
        }
        assertEquals(expected, snapshot(counters), "token rejections by reason, each counted once");
        Map<RequestRefusal, Long> expectedRefusals = new EnumMap<>(refusedBefore);
        for (RequestRefusal r : List.of(RequestRefusal.MISSING_TOKEN, RequestRefusal.MALFORMED_REQUEST,
                RequestRefusal.NO_MATCHING_RULE, RequestRefusal.AMBIGUOUS_PATH, RequestRefusal.METHOD_NOT_ALLOWED)) {
            expectedRefusals.merge(r, 1L, Long::sum);
        }
        assertEquals(expectedRefusals, snapshot(refusals), "the filter's own refusals, each counted once");
    }

    /** Each refusal's label carries the answer the client really got (the review's MISSING_TOKEN mislabel). */
    @OnBothContainers
    void refusalLabelsMatchTheAnswer(Deployment d) {
        Answer missing = Answer.of(d.request().get("/api/me"));
        assertEquals(RequestRefusal.MISSING_TOKEN.httpStatus(), missing.status());
        assertEquals(null, RequestRefusal.MISSING_TOKEN.bearerError());
        assertEquals("Bearer realm=\"api\"", missing.header("WWW-Authenticate"), "no error attribute");
        Answer malformed = Answer.of(d.request().header("Authorization", "Bearer").get("/api/me"));
        assertEquals(RequestRefusal.MALFORMED_REQUEST.httpStatus(), malformed.status());
        assertEquals(true, malformed.header("WWW-Authenticate").contains(
                "error=\"" + RequestRefusal.MALFORMED_REQUEST.bearerError() + "\""));
        Answer noRule = Answer.of(d.request().get("/admin"));
        assertEquals(RequestRefusal.NO_MATCHING_RULE.httpStatus(), noRule.status());
        assertEquals(RequestRefusal.NO_MATCHING_RULE.challenges(), noRule.header("WWW-Authenticate") != null);
    }

    @OnBothContainers
    void eachContainerHasItsOwnCounters(Deployment d) {
        long elsewhere = running.stream().filter(o -> o != d).mapToLong(o -> o.counters().acceptedCount()).sum();
        long here = d.counters().acceptedCount();
        String token = issuer.globalApiToken("user-9", ORG_API).sign();
        d.request().header("Authorization", "Bearer " + token).get("/api/me").then().statusCode(200);
        d.request().header("Authorization", "Bearer " + token).get("/api/me").then().statusCode(200);
        assertEquals(here + 2, d.counters().acceptedCount());
        assertEquals(elsewhere, running.stream().filter(o -> o != d).mapToLong(o -> o.counters().acceptedCount()).sum());
    }

    private static Map<RequestRefusal, Long> snapshot(FilterCounters counters) {
        Map<RequestRefusal, Long> m = new EnumMap<>(RequestRefusal.class);
        for (RequestRefusal r : RequestRefusal.values()) {
            m.put(r, counters.refusedCount(r));
        }
        return m;
    }

    private static Map<RejectionReason, Long> snapshot(VerifierCounters counters) {
        Map<RejectionReason, Long> m = new EnumMap<>(RejectionReason.class);
        for (RejectionReason r : RejectionReason.values()) {
            m.put(r, counters.rejectedCount(r));
        }
        return m;
    }
}
