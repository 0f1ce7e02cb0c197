package dev.orgtoken.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.RejectionReason;
import dev.orgtoken.TokenRejectedException;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link BearerChallenge}: the one writer of refusals, whoever decided them. */
class BearerChallengeTest {

    @ParameterizedTest
    @EnumSource(RequestRefusal.class)
    void eachRequestRefusalIsAnsweredAsItsLabelSays(RequestRefusal reason) {
        BearerChallenge c = BearerChallenge.of(reason, "d", Set.of());
        assertEquals(reason.httpStatus(), c.status());
        assertEquals(reason.bearerError(), c.error());
        assertEquals(reason.challenges(), c.challenge());
        String header = c.headerValue("api");
        assertEquals(reason.bearerError() != null, header.contains("error="), header);
        assertEquals(reason.bearerError() != null, c.problemJson().contains("\"error\":"), c.problemJson());
    }

    @Test
    void tokenRefusalsFollowTheirErrorCode() {
        BearerChallenge invalid = BearerChallenge.of(new TokenRejectedException(RejectionReason.EXPIRED, "token has expired"), 30);
        assertEquals("Bearer realm=\"api\", error=\"invalid_token\", error_description=\"token has expired\"",
                invalid.headerValue("api"));
        assertEquals(401, invalid.status());
        assertEquals(0, invalid.retryAfterSeconds());

        BearerChallenge scope = BearerChallenge.of(new TokenRejectedException(RejectionReason.MISSING_SCOPES,
                "token lacks required scopes", new java.util.LinkedHashSet<>(java.util.List.of("a", "b")), Set.of("b")), 30);
        assertEquals(403, scope.status());
        assertEquals("Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"token lacks required scopes\","
                + " scope=\"a b\"", scope.headerValue("api"));

        BearerChallenge keys = BearerChallenge.of(new TokenRejectedException(RejectionReason.KEYS_UNAVAILABLE, "x"), 30);
        assertEquals(503, keys.status());
        assertEquals(30, keys.retryAfterSeconds());
        assertEquals(false, keys.challenge());
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
                + "\"detail\":\"token keys are temporarily unavailable\"}", keys.problemJson());
    }

    @Test
    void quotedStringsAndJsonAreEscaped() {
        BearerChallenge c = BearerChallenge.of(RequestRefusal.MALFORMED_REQUEST, "a \"b\" \\ c\u0001", Set.of());
        assertEquals("Bearer realm=\"r\\\"x\", error=\"invalid_request\", error_description=\"a \\\"b\\\" \\\\ c\"",
                c.headerValue("r\"x"));
        assertTrue(c.problemJson().contains("\"detail\":\"a \\\"b\\\" \\\\ c\\u0001\""), c.problemJson());
    }

    @Test
    void methodNotAllowedListsTheMethodsInOrder() {
        BearerChallenge c = BearerChallenge.of(RequestRefusal.METHOD_NOT_ALLOWED, BearerChallenge.METHOD_NOT_ALLOWED,
                new java.util.LinkedHashSet<>(java.util.List.of("GET", "HEAD", "PUT")));
        assertEquals(405, c.status());
        assertEquals(java.util.List.of("GET", "HEAD", "PUT"), java.util.List.copyOf(c.allow()));
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Method Not Allowed\",\"status\":405,"
                + "\"detail\":\"no rule allows this method on this path\"}", c.problemJson());
    }

    @Test
    void aWithheldErrorPageKeepsAnErrorStatus() {
        BearerChallenge any = BearerChallenge.of(RequestRefusal.MISSING_TOKEN, BearerChallenge.MISSING_TOKEN, Set.of());
        assertEquals(404, any.withholdingErrorPage(404).status());
        assertEquals(500, any.withholdingErrorPage(200).status(), "an ERROR dispatch without an error status");
        assertEquals(false, any.withholdingErrorPage(404).challenge());
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
                + "\"detail\":\"the error page is not available to this request\"}",
                any.withholdingErrorPage(404).problemJson());
    }
}
