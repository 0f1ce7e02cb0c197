package dev.orgtoken.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Outside review, findings 6 and 7: a value substituted from {@code ${NAME}} is never quoted in an
 * error (it may be a secret, and containers log the message), and is always literal text in a
 * path, an audience and an organization (it can never add a wildcard, a variable or a keyword).
 */
class SubstitutionSafetyTest {
    private static final String SECRET = "s3cr3t-VALUE";

    private static final String HEAD = """
            logto:
              endpoint: https://tenant.logto.app
            audience: https://api.example.com/org
            """;

    private static RuleSet load(String yaml, Map<String, String> vars) {
        return RuleSet.load("rules.yaml", new StringReader(yaml), vars::get);
    }

    private static RulesFileException fail(String yaml, Map<String, String> vars) {
        return assertThrows(RulesFileException.class, () -> load(yaml, vars));
    }

    /** The message and every cause's message (containers log the whole chain) keep the value out. */
    private static void assertNotQuoted(RulesFileException e, String value) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(value), () -> "quoted the value: " + e.getMessage());
        }
    }

    /** Each place a substituted value can fail validation, with the variable holding a secret-like value. */
    static Stream<Arguments> invalidSubstitutedValues() {
        return Stream.of(
                Arguments.of("query-token", HEAD + "query-token: ${V}\nrules:\n  - path: /a\n", SECRET),
                Arguments.of("realm", HEAD + "realm: \"${V}\"\nrules:\n  - path: /a\n", SECRET + "\""),
                Arguments.of("unmatched", HEAD + "unmatched: ${V}\nrules:\n  - path: /a\n", SECRET),
                Arguments.of("endpoint", HEAD.replace("https://tenant.logto.app", "${V}") + "rules:\n  - path: /a\n",
                        "ftp://" + SECRET),
                // The builder strips a trailing slash before it quotes the URL: not the value as substituted.
                Arguments.of("endpoint changed before it is quoted", HEAD.replace("https://tenant.logto.app", "${V}")
                        + "rules:\n  - path: /a\n", "https://" + SECRET + ".internal/x?k=" + SECRET + "/"),
                Arguments.of("endpoint inside a value", HEAD.replace("https://tenant.logto.app", "https://${V} x")
                        + "rules:\n  - path: /a\n", SECRET),
                Arguments.of("clock-skew", HEAD.replace("logto:\n", "logto:\n  clock-skew: ${V}\n")
                        + "rules:\n  - path: /a\n", SECRET),
                Arguments.of("token-cache-size", HEAD.replace("logto:\n", "logto:\n  token-cache-size: ${V}\n")
                        + "rules:\n  - path: /a\n", SECRET),
                Arguments.of("algorithms", HEAD.replace("logto:\n", "logto:\n  algorithms: [\"${V}\"]\n")
                        + "rules:\n  - path: /a\n", SECRET),
                Arguments.of("methods", HEAD + "rules:\n  - path: /a\n    methods: [\"${V}\"]\n", SECRET),
                Arguments.of("scopes (split in the hint)", HEAD + "rules:\n  - path: /a\n    scopes: [\"${V}\"]\n",
                        "s3cr3t VALUE"),
                Arguments.of("path", HEAD + "rules:\n  - path: /a/${V}/..\n", SECRET),
                Arguments.of("audience", HEAD + "rules:\n  - path: /a\n    audience: \"x ${V}\"\n", SECRET),
                Arguments.of("organization", HEAD + "rules:\n  - path: /a\n    organization: \"${V} x\"\n", SECRET),
                Arguments.of("public", HEAD + "rules:\n  - path: /a\n    public: ${V}\n", SECRET));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSubstitutedValues")
    void anInvalidSubstitutedValueIsNamedByItsVariableNeverQuoted(String where, String yaml, String value) {
        RulesFileException e = fail(yaml, Map.of("V", value));
        assertNotQuoted(e, SECRET);
        assertNotQuoted(e, "s3cr3t");
        assertTrue(e.problem().contains("${V}"), () -> where + ": the variable is not named: " + e.getMessage());
        assertTrue(e.line() > 0, e::getMessage);
    }

    @Test
    void theReviewExampleNamesTheVariable() {
        RulesFileException e = fail(HEAD + "query-token: ${QUERY_TOKEN}\nrules:\n  - path: /a\n",
                Map.of("QUERY_TOKEN", SECRET));
        assertEquals("rules.yaml:4:14: 'query-token' must be true or false, found '${QUERY_TOKEN}'", e.getMessage());
        assertNull(e.getCause());
    }

    @Test
    void aValueWrittenInTheFileIsStillQuoted() {
        RulesFileException e = fail(HEAD + "query-token: maybe\nrules:\n  - path: /a\n", Map.of());
        assertEquals("'query-token' must be true or false, found 'maybe'", e.problem());
    }

    // ------------------------------------------------------------------ finding 7: always literal

    @Test
    void aVariableCannotAddAWildcardOrAPathVariable() {
        for (String value : new String[] {"*", "**", "{id}", "a*", "x/*"}) {
            RulesFileException e = fail(HEAD + "rules:\n  - path: /api/${T}/admin\n", Map.of("T", value));
            assertEquals("the value of ${T} must be literal text in 'path': no '*', '{' or '}'"
                    + " (a variable can never add a wildcard or a path variable)", e.problem(), value);
            assertEquals(5, e.line());
        }
        // Literal text, even several segments, is fine.
        PathRule rule = load(HEAD + "rules:\n  - path: /api/${T}/admin\n", Map.of("T", "v1/tenants")).rules().get(0);
        assertEquals("/api/v1/tenants/admin", rule.path().toString());
        assertTrue(rule.path().matches("/api/v1/tenants/admin"));
    }

    @Test
    void aSubstitutedOrganizationIsAlwaysALiteralId() {
        String yaml = HEAD + "rules:\n  - path: /orgs/{organizationId}\n    organization: ${ORG}\n";
        for (String keywordLike : new String[] {"any", "none"}) {
            PathRule rule = load(yaml, Map.of("ORG", keywordLike)).rules().get(0);
            assertEquals(Optional.of(keywordLike), rule.organization(), keywordLike);
            // ... and it means that id, literally.
            assertEquals(dev.orgtoken.Requirements.audience("https://api.example.com/org").organization(keywordLike),
                    ((RuleDecision.Protected) load(yaml, Map.of("ORG", keywordLike)).match("GET", "/orgs/x")).requirements());
        }
        RulesFileException e = fail(yaml, Map.of("ORG", "{organizationId}"));
        assertEquals("invalid organization id '${ORG}' (no whitespace, control characters or braces)", e.problem());
        // The keywords written in the file keep their meaning.
        assertEquals(Optional.of("any"),
                load(yaml.replace("${ORG}", "any"), Map.of()).rules().get(0).organization());
        assertEquals(Optional.of("{organizationId}"),
                load(yaml.replace("${ORG}", "\"{organizationId}\""), Map.of()).rules().get(0).organization());
    }

    @Test
    void aVariableCannotAddAnAudiencePlaceholder() {
        String yaml = HEAD + "rules:\n  - path: /orgs/{organizationId}\n    audience: \"urn:logto:organization:${A}\"\n";
        RulesFileException e = fail(yaml, Map.of("A", "{organizationId}"));
        assertEquals("the value of ${A} must be literal text in 'audience': no '{' or '}'"
                + " (a variable can never add a placeholder)", e.problem());
        assertEquals(Optional.of("urn:logto:organization:o1"),
                load(yaml, Map.of("A", "o1")).rules().get(0).audienceTemplate());
        RulesFileException top = fail(HEAD.replace("https://api.example.com/org", "${A}") + "rules:\n  - path: /a\n",
                Map.of("A", "{organizationId}"));
        assertEquals(3, top.line());
        assertTrue(top.problem().startsWith("the value of ${A} must be literal text in 'audience'"), top.problem());
    }
}
