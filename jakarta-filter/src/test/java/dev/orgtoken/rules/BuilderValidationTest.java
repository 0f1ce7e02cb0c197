package dev.orgtoken.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The programmatic builders apply the same checks as the rules file. */
class BuilderValidationTest {

    private static String fails(Executable e) {
        return assertThrows(IllegalArgumentException.class, e).getMessage();
    }

    @Test
    void badPathPattern() {
        assertEquals("path pattern '/a/' must not end with '/' (write '/a' or '/a/**')",
                fails(() -> PathRule.builder("/a/")));
    }

    @Test
    void methodsMustBeUpperCaseUniqueAndNonEmpty() {
        assertEquals("method 'get' must be upper-case letters only (write 'GET')",
                fails(() -> PathRule.builder("/a").methods("get")));
        assertEquals("method 'GET ' must be upper-case letters only",
                fails(() -> PathRule.builder("/a").methods("GET ")));
        assertEquals("method 'GET' is listed twice", fails(() -> PathRule.builder("/a").methods("GET", "GET")));
        assertEquals("'methods' must not be empty (leave it out to match all methods)",
                fails(() -> PathRule.builder("/a").methods(List.of())));
    }

    @Test
    void scopesMustBeTokensWithoutDuplicates() {
        assertEquals("a scope must not be empty", fails(() -> PathRule.builder("/a").scopes("")));
        assertEquals("scope 'read write' must not contain whitespace, quotes, backslashes or control characters"
                + " (list scopes separately: [read, write])", fails(() -> PathRule.builder("/a").scopes("read write")));
        assertEquals("scope 'a' is listed twice", fails(() -> PathRule.builder("/a").scopes("a", "b", "a")));
    }

    @Test
    void publicRuleCannotRequireAnything() {
        assertEquals("a public rule must not set 'scopes' (contradictory: public means no token is needed)",
                fails(() -> PathRule.builder("/a").publicAccess(true).scopes("x").build()));
        assertEquals("a public rule must not set 'audience' (contradictory: public means no token is needed)",
                fails(() -> PathRule.builder("/a").audience("https://a").publicAccess(true).build()));
        assertEquals("a public rule must not set 'organization' (contradictory: public means no token is needed)",
                fails(() -> PathRule.builder("/a").publicAccess(true).organization("any").build()));
    }

    @Test
    void templateVariablesMustBeCaptured() {
        assertEquals("variable '{orgId}' in 'audience' is not captured by path '/orgs/{organizationId}'"
                        + " (it captures organizationId)",
                fails(() -> PathRule.builder("/orgs/{organizationId}").audience("urn:x:{orgId}")));
        assertEquals("variable '{orgid}' in 'audience' is not captured by path '/orgs/{orgId}' (did you mean 'orgId'?)",
                fails(() -> PathRule.builder("/orgs/{orgId}").audience("urn:x:{orgid}")));
        assertEquals("variable '{id}' in 'organization' is not captured by path '/orgs/*' (it captures no variables)",
                fails(() -> PathRule.builder("/orgs/*").organization("{id}")));
    }

    @Test
    void malformedAudienceAndOrganization() {
        assertEquals("audience 'urn:{a' has an unclosed '{'", fails(() -> PathRule.builder("/{a}").audience("urn:{a")));
        assertEquals("audience 'urn:a}' has an unmatched '}'", fails(() -> PathRule.builder("/{a}").audience("urn:a}")));
        assertEquals("audience 'a b' must not contain whitespace or control characters",
                fails(() -> PathRule.builder("/a").audience("a b")));
        assertEquals("organization '{1}' is not a valid variable reference (expected '{name}' with a name captured by the path)",
                fails(() -> PathRule.builder("/a").organization("{1}")));
        assertEquals("organization 'none' is not a value; leave 'organization' out to require no organization",
                fails(() -> PathRule.builder("/a").organization("none")));
        assertEquals("invalid organization id 'a{b' (no whitespace, control characters or braces);"
                        + " expected 'any', '{variable}' or an organization id",
                fails(() -> PathRule.builder("/a").organization("a{b")));
    }

    @Test
    void organizationIdIsLiteral() {
        assertEquals(java.util.Optional.of("any"), PathRule.builder("/a").organizationId("any").build().organization());
        assertEquals("invalid organization id '{x}' (no whitespace, control characters or braces)",
                fails(() -> PathRule.builder("/{x}").organizationId("{x}")));
    }

    @Test
    void ruleSetNeedsRulesAndAudiences() {
        PathRule plain = PathRule.builder("/a").build();
        assertEquals("the rule list is empty; at least one rule is required",
                fails(() -> RuleSet.builder().logtoEndpoint("https://t.example").defaultAudience("https://a").build()));
        assertEquals("rule '/a' needs an audience: set 'audience' on the rule or a default 'audience' at the top level",
                fails(() -> RuleSet.builder().logtoEndpoint("https://t.example").rule(plain).build()));
        assertEquals("'unmatched: authenticated' needs a default 'audience' at the top level",
                fails(() -> RuleSet.builder().logtoEndpoint("https://t.example")
                        .rule(PathRule.builder("/p").publicAccess(true).build())
                        .unmatched(UnmatchedPolicy.AUTHENTICATED).build()));
        assertEquals("the default audience cannot use placeholders like '{x}'; put templated audiences on the rules",
                fails(() -> RuleSet.builder().defaultAudience("urn:{x}")));
        assertEquals("'realm' must be printable ASCII without quotes or backslashes, was 'a\"b'",
                fails(() -> RuleSet.builder().realm("a\"b")));
    }

    /**
     * The {@code logto} settings are the verifier builder's own (each limit is checked there, see
     * core's {@code VerifierBuilderTest}); a rule set built in code reports them as that builder does.
     */
    @Test
    void logtoSettingsAreCheckedByTheVerifierBuilder() {
        PathRule plain = PathRule.builder("/a").build();
        assertEquals("logto: logtoEndpoint(...) is required, or both issuers(...) and jwksUri(...)",
                "logto: " + fails(() -> RuleSet.builder().logto(b -> b.clockSkew(Duration.ZERO)).defaultAudience("https://a")
                        .rule(plain).build()));
        assertEquals("endpoint must be an absolute http or https URI, was 'ftp://a'",
                fails(() -> RuleSet.builder().logtoEndpoint("ftp://a")));
        assertEquals("jwksTtl must be at least 1s, was PT0S",
                fails(() -> RuleSet.builder().logto(b -> b.jwksTtl(Duration.ZERO))));
    }
}
