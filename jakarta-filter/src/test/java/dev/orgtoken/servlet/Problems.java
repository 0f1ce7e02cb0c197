package dev.orgtoken.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Expected {@code WWW-Authenticate} values and the check of a refusal's status, headers and body. */
final class Problems {
    private Problems() {}

    private static final Pattern ATTRIBUTE = Pattern.compile("(error|scope)=\"([^\"]*)\"");
    private static final Map<Integer, String> TITLES = Map.ofEntries(Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"),
            Map.entry(405, "Method Not Allowed"), Map.entry(409, "Conflict"), Map.entry(410, "Gone"),
            Map.entry(500, "Internal Server Error"), Map.entry(503, "Service Unavailable"));

    /** No token where one is needed: the bare challenge, no {@code error}. */
    static final String NO_TOKEN = "Bearer realm=\"api\"";

    static String invalidRequest(String description) {
        return "Bearer realm=\"api\", error=\"invalid_request\", error_description=\"" + description + "\"";
    }

    static String invalidToken(String description) {
        return "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"" + description + "\"";
    }

    static String insufficientScope(String description, String scope) {
        return "Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"" + description
                + "\", scope=\"" + scope + "\"";
    }

    /**
     * Asserts a refusal written by the filter.
     *
     * @param answer the answer
     * @param status the expected status
     * @param challenge the exact {@code WWW-Authenticate}, or null when none may be sent
     * @param detail the problem's {@code detail}
     * @param secrets strings that must appear nowhere in the answer (the token)
     */
    static void assertProblem(Answer answer, int status, String challenge, String detail, String... secrets) {
        assertEquals(status, answer.status(), () -> "status of " + answer);
        assertEquals(challenge, answer.header("WWW-Authenticate"), () -> "WWW-Authenticate of " + answer);
        String contentType = answer.header("Content-Type");
        assertTrue(contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/problem+json"),
                () -> "Content-Type of " + answer);
        assertEquals("no-store", answer.header("Cache-Control"), () -> "Cache-Control of " + answer);
        JsonPath json = JsonPath.from(answer.body());
        assertEquals("about:blank", json.getString("type"), () -> "type in " + answer.body());
        assertEquals(TITLES.get(status), json.getString("title"), () -> "title in " + answer.body());
        assertEquals(status, json.getInt("status"), () -> "status in " + answer.body());
        assertEquals(detail, json.getString("detail"), () -> "detail in " + answer.body());
        // The RFC 6750 attributes are repeated as extension members, and only then.
        String error = null;
        String scope = null;
        if (challenge != null) {
            Matcher m = ATTRIBUTE.matcher(challenge);
            while (m.find()) {
                if (m.group(1).equals("error")) {
                    error = m.group(2);
                } else {
                    scope = m.group(2);
                }
            }
        } else if (status == 400) {
            error = "invalid_request";   // an ambiguous path: a 400 problem with no challenge
        }
        assertEquals(error, json.getString("error"), () -> "error in " + answer.body());
        assertEquals(scope, json.getString("scope"), () -> "scope in " + answer.body());
        assertNoSecrets(answer, secrets);
    }

    static void assertNoSecrets(Answer answer, String... secrets) {
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty()) {
                assertFalse(answer.body().contains(secret), "body contains the token");
                assertFalse(answer.headerText().contains(secret), "a header contains the token");
            }
        }
    }
}
