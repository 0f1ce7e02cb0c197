package dev.orgtoken.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
        assertEquals("variable '{id}' in 'organization' is not captured by path '/orgs/*' (it captures no variables)",
                fails(() -> PathRule.builder("/orgs/*").organization(new OrganizationRule.FromVariable("id"))));
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
    void ruleSetNeedsLogtoRulesAndAudiences() {
        PathRule plain = PathRule.builder("/a").build();
        assertEquals("the 'logto' settings are required ('endpoint', or 'issuers' and 'jwks-uri')",
                fails(() -> RuleSet.builder().defaultAudience("https://a").rule(plain).build()));
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

    @Test
    void verifierSettingsFromEndpoint() {
        VerifierSettings s = VerifierSettings.builder().endpoint("https://tenant.logto.app/").build();
        assertEquals("https://tenant.logto.app", s.endpoint().orElseThrow().toString());
        assertEquals(List.of("https://tenant.logto.app/oidc"), s.issuers());
        assertEquals("https://tenant.logto.app/oidc/jwks", s.jwksUri().toString());
        assertEquals(Optional.empty(), s.algorithms());

        VerifierSettings o = VerifierSettings.builder().endpoint("http://localhost:3001")
                .issuers("http://localhost:3001/custom").clockSkew(Duration.ZERO).build();
        assertEquals(List.of("http://localhost:3001/custom"), o.issuers());
        assertEquals("http://localhost:3001/oidc/jwks", o.jwksUri().toString());
        assertEquals(Optional.of(Duration.ZERO), o.clockSkew());
    }

    @Test
    void verifierSettingsValidation() {
        assertEquals("'endpoint' is required, or both 'issuers' and 'jwks-uri'",
                fails(() -> VerifierSettings.builder().build()));
        assertEquals("'jwks-uri' is required when 'endpoint' is not set",
                fails(() -> VerifierSettings.builder().issuers("https://a/oidc").build()));
        assertEquals("'issuers' is required when 'endpoint' is not set",
                fails(() -> VerifierSettings.builder().jwksUri("https://a/jwks").build()));
        assertEquals("'endpoint' must be an absolute http or https URI, was 'ftp://a'",
                fails(() -> VerifierSettings.builder().endpoint("ftp://a").build()));
        assertEquals("'endpoint' must be an absolute http or https URI, was 'tenant.logto.app'",
                fails(() -> VerifierSettings.builder().endpoint("tenant.logto.app").build()));
        assertEquals("'jwks-uri' must not have a query or fragment: 'https://a/jwks?x=1'",
                fails(() -> VerifierSettings.builder().endpoint("https://a").jwksUri("https://a/jwks?x=1").build()));
        assertEquals("issuer 'https://a/oidc' is listed twice",
                fails(() -> VerifierSettings.builder().endpoint("https://a").issuers("https://a/oidc", "https://a/oidc").build()));
        assertEquals("unsupported algorithm 'HS256' (only asymmetric algorithms can be verified with a JWKS);"
                        + " supported: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512",
                fails(() -> VerifierSettings.builder().endpoint("https://a").algorithms("HS256").build()));
        assertEquals("unsupported algorithm 'ES386' (did you mean 'ES384'?);"
                        + " supported: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512",
                fails(() -> VerifierSettings.builder().endpoint("https://a").algorithms("ES386").build()));
        assertEquals("'jwks-ttl' must be positive, was PT0S",
                fails(() -> VerifierSettings.builder().endpoint("https://a").jwksTtl(Duration.ZERO).build()));
        assertEquals("'clock-skew' must be zero or positive, was PT-1S",
                fails(() -> VerifierSettings.builder().endpoint("https://a").clockSkew(Duration.ofSeconds(-1)).build()));
        assertEquals("'max-token-length' must be between 256 and 1048576",
                fails(() -> VerifierSettings.builder().endpoint("https://a").maxTokenLength(0).build()));
    }

    @Test
    void plainHttpToRemoteHostIsAllowed() {
        VerifierSettings s = VerifierSettings.builder().endpoint("http://logto.internal").build();
        assertEquals("http://logto.internal/oidc/jwks", s.jwksUri().toString());
        assertEquals(true, VerifierSettings.isLoopback("127.0.0.1"));
        assertEquals(true, VerifierSettings.isLoopback("[::1]"));
        assertEquals(true, VerifierSettings.isLoopback("LocalHost"));
        assertEquals(false, VerifierSettings.isLoopback("logto.internal"));
    }
}
