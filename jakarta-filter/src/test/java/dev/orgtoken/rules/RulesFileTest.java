package dev.orgtoken.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesFileTest {
    private static final Map<String, String> VARS = Map.of("LOGTO_ENDPOINT", "https://tenant.logto.app");

    /** Four lines; the rule list starts on line 5. */
    private static final String HEAD = """
            logto:
              endpoint: https://tenant.logto.app
            audience: https://api.example.com/org
            rules:
            """;

    private static RuleSet load(String yaml) {
        return load(yaml, VARS);
    }

    private static RuleSet load(String yaml, Map<String, String> vars) {
        return RuleSet.load("rules.yaml", new StringReader(yaml), vars::get);
    }

    private static RulesFileException fail(String yaml) {
        return assertThrows(RulesFileException.class, () -> load(yaml));
    }

    private static void assertError(String yaml, int line, String problem) {
        RulesFileException e = fail(yaml);
        assertEquals(problem, e.problem());
        assertEquals(line, e.line(), "line of: " + e.getMessage());
        assertEquals("rules.yaml", e.source());
        assertEquals("rules.yaml:" + line + ":" + e.column() + ": " + problem, e.getMessage());
    }

    private static Requirements requirements(RuleSet set, String method, String path) {
        return assertInstanceOf(RuleDecision.Protected.class, set.match(method, path)).requirements();
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(RulesFileTest.class.getResource("/rules/" + name).toURI());
    }

    // ------------------------------------------------------------------ happy paths

    @Test
    void exampleFileLoads() throws Exception {
        RuleSet set = RuleSet.load(resource("example.yaml"), VARS::get);

        String logto = set.verifierBuilder().orElseThrow().toString();
        assertTrue(logto.startsWith("Builder{endpoint=https://tenant.logto.app, issuers=[], jwksUri=null,"), logto);
        assertTrue(logto.contains("clockSkew=PT1M, maxTokenLength=16384,"), "the defaults: " + logto);
        try (OrganizationTokenVerifier v = set.verifierBuilder().orElseThrow().build()) {
            assertEquals(Set.of("https://tenant.logto.app/oidc"), v.issuers());
        }
        assertEquals(Optional.of("https://api.example.com/org"), set.defaultAudience());
        assertEquals(UnmatchedPolicy.DENY, set.unmatched());
        assertEquals("api", set.realm());
        assertFalse(set.queryTokenAllowed());

        List<PathRule> rules = set.rules();
        assertEquals(5, rules.size());
        assertEquals(List.of(11, 13, 17, 21, 24), rules.stream().map(PathRule::line).toList());

        PathRule health = rules.get(0);
        assertTrue(health.isPublic());
        assertSame(health, assertInstanceOf(RuleDecision.Public.class, set.match("GET", "/health")).rule());

        assertEquals(Requirements.audience("https://api.example.com").scopes("org:create"),
                requirements(set, "POST", "/api/organizations"));
        assertEquals(RuleDecision.Refused.Reason.METHOD_NOT_ALLOWED,
                assertInstanceOf(RuleDecision.Refused.class, set.match("GET", "/api/organizations")).reason());

        assertEquals(Requirements.audience("https://api.example.com/org").organization("o1").scopes("read:members"),
                requirements(set, "HEAD", "/api/organizations/o1/members/u2"));
        assertEquals(Optional.of("{organizationId}"), rules.get(2).organization());

        assertEquals(Requirements.audience("urn:logto:organization:o9").scopes("manage:settings"),
                requirements(set, "PATCH", "/orgs/o9/settings"));

        assertEquals(Requirements.audience("https://api.example.com/org"), requirements(set, "GET", "/api/me"));
        assertEquals(Optional.empty(), rules.get(4).organization());

        assertEquals(RuleDecision.Refused.Reason.NO_MATCHING_RULE,
                assertInstanceOf(RuleDecision.Refused.class, set.match("GET", "/nothing")).reason());
    }

    @Test
    void everyLogtoSettingIsTyped() throws Exception {
        RuleSet set = RuleSet.load(resource("full-logto.yaml"), name -> null);
        // Each key reached the verifier's builder (none of these values is a default).
        assertEquals("Builder{endpoint=null, issuers=[https://tenant.logto.app/oidc, https://auth.example.com/oidc],"
                + " jwksUri=https://tenant.logto.app/oidc/jwks, algorithms=[ES384, RS256], requireAccessTokenType=false,"
                + " clockSkew=PT45S, maxTokenLength=8192, tokenCacheSize=5000, jwksTtl=PT15M, jwksRefreshCooldown=PT20S,"
                + " jwksStaleFor=PT12H, jwksConnectTimeout=PT0.5S, jwksRequestTimeout=PT4S, jwksMaxResponseBytes=131072,"
                + " allowInsecureHttp=true, maxConcurrentVerifications=3, verificationWait=PT0.25S}",
                set.verifierBuilder().orElseThrow().toString());
        assertEquals(UnmatchedPolicy.AUTHENTICATED, set.unmatched());
        assertEquals("orders", set.realm());
        assertTrue(set.queryTokenAllowed());
        assertEquals(Optional.of("any"), set.rules().get(0).organization());
        assertEquals(Requirements.audience("https://api.example.com/org").anyOrganization(), requirements(set, "GET", "/"));
    }

    @Test
    void variablesResolveWithDefaultsAndSeveralPerValue() {
        RuleSet set = load("""
                logto:
                  endpoint: ${LOGTO_ENDPOINT}
                audience: "https://${HOST}:${PORT:-8443}/org"
                query-token: ${QUERY_TOKEN:-false}
                realm: ${REALM:-}x
                rules:
                  - path: /a
                """, Map.of("LOGTO_ENDPOINT", "http://localhost:3001/", "HOST", "api.example.com", "PORT", ""));
        assertTrue(set.verifierBuilder().orElseThrow().toString().startsWith("Builder{endpoint=http://localhost:3001,"));
        assertEquals(Optional.of("https://api.example.com:8443/org"), set.defaultAudience());
        assertFalse(set.queryTokenAllowed());
        assertEquals("x", set.realm());
    }

    @Test
    void defaultLookupReadsSystemProperties(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rules.yaml");
        Files.writeString(file, HEAD.replace("https://tenant.logto.app", "${orgtoken.test.endpoint}") + "  - path: /a\n");
        System.setProperty("orgtoken.test.endpoint", "https://from-property.example");
        try {
            RuleSet set = RuleSet.load(file);
            assertTrue(set.verifierBuilder().orElseThrow().toString()
                    .startsWith("Builder{endpoint=https://from-property.example,"));
        } finally {
            System.clearProperty("orgtoken.test.endpoint");
        }
        RulesFileException e = assertThrows(RulesFileException.class, () -> RuleSet.load(file));
        assertEquals(file.toString(), e.source());
        assertEquals(2, e.line());
    }

    @Test
    void substitutedTextCannotInjectStructure() {
        RulesFileException e = assertThrows(RulesFileException.class, () -> load(HEAD + """
                  - path: /a
                unmatched: ${POLICY}
                """, Map.of("POLICY", "deny\nrules: []")));
        assertEquals(6, e.line());
        // The value is named by its variable, never quoted (outside review, finding 6). Its word
        // "deny" would still show in the list of expected values, so nothing of the message is kept.
        assertEquals("this value is invalid; it comes from ${POLICY}, whose value is not shown", e.problem());
    }

    @Test
    void readsFromReaderOverResource() throws Exception {
        try (Reader r = new InputStreamReader(RulesFileTest.class.getResourceAsStream("/rules/example.yaml"),
                StandardCharsets.UTF_8)) {
            assertEquals(5, RuleSet.load("example.yaml", r, VARS::get).rules().size());
        }
    }

    @Test
    void byteOrderMarkIsIgnored() {
        assertEquals(1, load("\uFEFF" + HEAD + "  - path: /a\n").rules().size());
    }

    // ------------------------------------------------------------------ unknown keys

    @Test
    void unknownKeyInRuleSuggestsClosest() throws Exception {
        RulesFileException e = assertThrows(RulesFileException.class,
                () -> RuleSet.load(resource("unknown-key.yaml"), name -> null));
        assertEquals(9, e.line());
        assertEquals(5, e.column());
        assertEquals("unknown key 'scope' (did you mean 'scopes'?)", e.problem());
        assertTrue(e.getMessage().endsWith("unknown-key.yaml:9:5: unknown key 'scope' (did you mean 'scopes'?)"),
                e.getMessage());
    }

    @Test
    void unknownTopLevelKey() {
        assertError(HEAD + "  - path: /a\naudiance: x\n", 6, "unknown key 'audiance' (did you mean 'audience'?)");
        assertError("foo: 1\n" + HEAD + "  - path: /a\n", 1,
                "unknown key 'foo' (expected one of: logto, tenants, audience, clients, unmatched, cors-preflight, realm, query-token, audit, rules)");
    }

    @Test
    void unknownKeyInsideLogto() {
        assertError("""
                logto:
                  endpoint: https://tenant.logto.app
                  clock-skw: 60s
                audience: https://api.example.com/org
                rules:
                  - path: /a
                """, 3, "unknown key 'clock-skw' (did you mean 'clock-skew'?)");
    }

    @Test
    void duplicateKey() {
        assertError(HEAD + """
                  - path: /a
                    scopes: [a]
                    path: /b
                """, 7, "duplicate key 'path' (first set on line 5)");
        assertError("""
                logto:
                  endpoint: https://a.example
                logto:
                  endpoint: https://b.example
                """, 3, "duplicate key 'logto' (first set on line 1)");
    }

    // ------------------------------------------------------------------ wrong types

    @Test
    void wrongTypes() {
        assertError(HEAD + "  - path: /a\n    scopes: read\n", 6,
                "'scopes' must be a list, like scopes: [read], found 'read'");
        assertError(HEAD + "  - path: /a\n    public: yes\n", 6, "'public' must be true or false, found 'yes'");
        assertError(HEAD + "  - path: [/a]\n", 5, "'path' must be a single value, found a list");
        assertError(HEAD + "  - path: /a\n    methods: [[GET]]\n", 6,
                "each entry of 'methods' must be a single value, found a list");
        assertError(HEAD + "  - path: /a\n    audience:\n", 6, "'audience' has no value");
        assertError("logto: https://tenant.logto.app\naudience: a\nrules:\n  - path: /a\n", 1,
                "'logto' must be a mapping with 'endpoint', or 'issuers' and 'jwks-uri', found 'https://tenant.logto.app'");
        assertError("- a\n- b\n", 1, "the rules file must be a mapping with 'logto' and 'rules' keys, found a list");
        assertError(HEAD + "  - /health\n", 5, "each rule must be a mapping like '- path: /api/x', found '/health'");
        assertError(HEAD + "  - path: /a\nrealm: [a]\n", 6, "'realm' must be a single value, found a list");
    }

    @Test
    void integersAndDurationsAreChecked() {
        String logto = "logto:\n  endpoint: https://tenant.logto.app\n";
        String rest = "audience: https://a\nrules:\n  - path: /a\n";
        assertError(logto + "  clock-skew: 60\n" + rest, 3,
                "'clock-skew': duration '60' has no unit, which is ambiguous (write 60s, 60ms, 60m or 60h)");
        assertError(logto + "  jwks-ttl: 10 minutes\n" + rest, 3,
                "'jwks-ttl': duration '10 minutes' has unknown unit ' minutes' (use ms, s, m or h, or ISO-8601 like PT1M)");
        assertError(logto + "  jwks-ttl: PT\n" + rest, 3, "'jwks-ttl': invalid ISO-8601 duration 'PT'");
        assertError(logto + "  token-cache-size: 1e4\n" + rest, 3, "'token-cache-size' must be a whole number, found '1e4'");
        assertError(logto + "  max-token-length: 0\n" + rest, 3, "'max-token-length' must be between 256 and 1048576");
        assertError(logto + "  max-token-length: 2000000\n" + rest, 3, "'max-token-length' must be between 256 and 1048576");
        assertError(logto + "  clock-skew: 6m\n" + rest, 3, "'clock-skew' must be at most 5m, was PT6M");
        assertError(logto + "  algorithms: [EdDSA]\n" + rest, 3, "unsupported algorithm 'EdDSA'; supported: RS256,"
                + " RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512");
        assertError(logto + "  jwks-request-timeout: 0s\n" + rest, 3, "'jwks-request-timeout' must be positive, was PT0S");
        assertError(logto + "  algorithms: [none]\n" + rest, 3, "unsupported algorithm 'none' (only asymmetric algorithms"
                + " can be verified with a JWKS); supported: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512");
    }

    // ------------------------------------------------------------------ patterns and variables

    @Test
    void badPatternIsReportedAtItsLine() {
        assertError(HEAD + "  - path: /a\n  - path: /api/\n", 6,
                "path pattern '/api/' must not end with '/' (write '/api' or '/api/**')");
        assertError(HEAD + "  - path: /a/**/b\n", 5,
                "path pattern '/a/**/b' uses '**' before the last segment; '**' is only allowed at the end");
        assertError(HEAD + "  - path: a\n", 5, "path pattern 'a' must start with '/'");
    }

    @Test
    void variableUsedButNotCaptured() {
        assertError(HEAD + """
                  - path: /orgs/{organizationId}/settings
                    scopes: [manage:settings]
                    audience: "urn:logto:organization:{orgId}"
                """, 7, "variable '{orgId}' in 'audience' is not captured by path '/orgs/{organizationId}/settings'"
                + " (it captures organizationId)");
        assertError(HEAD + """
                  - path: /orgs/{organizationId}/settings
                    audience: "urn:logto:organization:{organizationid}"
                """, 6, "variable '{organizationid}' in 'audience' is not captured by path '/orgs/{organizationId}/settings'"
                + " (did you mean 'organizationId'?)");
        assertError(HEAD + """
                  - path: /orgs/*
                    organization: "{organizationId}"
                """, 6, "variable '{organizationId}' in 'organization' is not captured by path '/orgs/*'"
                + " (it captures no variables)");
    }

    @Test
    void duplicateVariableInPath() {
        assertError(HEAD + "  - path: /a/{id}/b/{id}\n", 5, "path pattern '/a/{id}/b/{id}' captures variable '{id}' more than once");
    }

    // ------------------------------------------------------------------ rule semantics

    @Test
    void lowerCaseMethodIsRejected() {
        assertError(HEAD + "  - path: /a\n    methods: [GET, post]\n", 6,
                "method 'post' must be upper-case letters only (write 'POST')");
        assertEquals(20, fail(HEAD + "  - path: /a\n    methods: [GET, post]\n").column(), "points at the entry");
    }

    @Test
    void duplicateScopesAreRejected() {
        assertError(HEAD + "  - path: /a\n    scopes:\n      - read\n      - read\n", 8, "scope 'read' is listed twice");
    }

    @Test
    void publicRuleWithRequirementsIsContradictory() {
        assertError(HEAD + """
                  - path: /health
                    public: true
                    scopes: [read]
                """, 7, "a public rule must not set 'scopes' (contradictory: public means no token is needed)");
    }

    @Test
    void ruleWithoutAnyAudienceIsRejected() {
        assertError("""
                logto:
                  endpoint: https://tenant.logto.app
                rules:
                  - path: /health
                    public: true
                  - path: /x
                    audience: https://a
                  - path: /api/me
                """, 8, "rule '/api/me' needs an audience: set 'audience' on the rule or a default 'audience' at the top level");
    }

    @Test
    void ruleWithoutPath() {
        assertError(HEAD + "  - scopes: [a]\n", 5, "rule is missing 'path'");
    }

    @Test
    void emptyOrMissingRuleList() {
        assertError(HEAD.replace("rules:\n", "rules: []\n"), 4, "the rule list is empty; at least one rule is required");
        assertError(HEAD, 4, "'rules' has no value; at least one rule is required");
        assertError("logto:\n  endpoint: https://a.example\naudience: x\n", 1,
                "missing 'rules' list; at least one rule is required");
        assertError(HEAD.replace("rules:\n", "rules: {path: /a}\n"), 4,
                "'rules' must be a list of rules ('- path: ...'), found a mapping");
    }

    @Test
    void unknownUnmatchedValue() {
        assertError(HEAD + "  - path: /a\nunmatched: allow\n", 6,
                "unknown value 'allow' for 'unmatched' (expected deny, authenticated or public)");
        assertError(HEAD + "  - path: /a\nunmatched: Deny\n", 6,
                "unknown value 'Deny' for 'unmatched' (expected deny, authenticated or public) (did you mean 'deny'?)");
    }

    @Test
    void unmatchedAuthenticatedNeedsDefaultAudience() {
        assertError("""
                logto:
                  endpoint: https://tenant.logto.app
                unmatched: authenticated
                rules:
                  - path: /a
                    public: true
                """, 3, "'unmatched: authenticated' needs a default 'audience' at the top level");
    }

    // ------------------------------------------------------------------ logto section

    @Test
    void logtoSectionIsRequiredAndComplete() {
        assertError("audience: x\nrules:\n  - path: /a\n", 1,
                "missing 'logto' section ('endpoint', or 'issuers' and 'jwks-uri'), or 'tenants'");
        assertError("""
                logto:
                  issuers: [https://tenant.logto.app/oidc]
                audience: x
                rules:
                  - path: /a
                """, 2, "'jwks-uri' is required when 'endpoint' is not set");
        assertError("""
                logto:
                  clock-skew: 5s
                audience: x
                rules:
                  - path: /a
                """, 2, "'endpoint' is required, or both 'issuers' and 'jwks-uri'");
        assertError("""
                logto:
                  endpoint: tenant.logto.app
                audience: x
                rules:
                  - path: /a
                """, 2, "'endpoint' must be an absolute http or https URI, was 'tenant.logto.app'");
        assertError("""
                logto:
                  endpoint: https://tenant.logto.app
                  jwks-uri: "https://x/a b"
                audience: x
                rules:
                  - path: /a
                """, 3, "'jwks-uri' is not a valid URI: 'https://x/a b' (Illegal character in path)");
    }

    /** Keys over plain http only from loopback, unless the file says so (the verifier's rule, in the file's words). */
    @Test
    void plainHttpKeysNeedLoopbackOrAllowInsecureHttp() {
        assertError("""
                logto:
                  endpoint: http://auth.example.com
                audience: x
                rules:
                  - path: /a
                """, 2, "the JWKS URI http://auth.example.com/oidc/jwks uses plain http to a host that is not loopback,"
                + " so keys fetched over it can be forged in transit: use https, or allow it with 'allow-insecure-http: true'");
        load("""
                logto:
                  endpoint: http://auth.example.com
                  allow-insecure-http: true
                audience: x
                rules:
                  - path: /a
                """);
        load(HEAD.replace("https://tenant.logto.app", "http://localhost:3001") + "  - path: /a\n");
    }

    @Test
    void unsetVariableWithoutDefault() {
        RulesFileException e = assertThrows(RulesFileException.class,
                () -> load(HEAD.replace("https://tenant.logto.app", "${MISSING}") + "  - path: /a\n", Map.of()));
        assertEquals(2, e.line());
        assertEquals(13, e.column());
        assertEquals("variable 'MISSING' is not set and has no default (set it, or write ${MISSING:-default})",
                e.problem());
    }

    @Test
    void malformedVariableReference() {
        assertError(HEAD + "  - path: /a\nrealm: ${REALM\n", 6, "unclosed '${' in '${REALM'");
        assertError(HEAD + "  - path: /a\nrealm: ${1X}\n", 6,
                "invalid variable reference '${1X}' (expected ${NAME} or ${NAME:-default}; NAME uses letters, digits, '_' and '.')");
    }

    // ------------------------------------------------------------------ YAML level

    @Test
    void invalidYamlReportsSnakeYamlMark() {
        RulesFileException e = fail(HEAD + "  - path: /a\n    scopes: [a, b\n");
        assertTrue(e.problem().startsWith("invalid YAML: "), e.problem());
        assertEquals(7, e.line(), e.getMessage());

        RulesFileException indent = fail("logto:\n  endpoint: https://a\n bad: x\n");
        assertTrue(indent.problem().startsWith("invalid YAML: "), indent.problem());
        assertEquals(3, indent.line(), indent.getMessage());
    }

    @Test
    void anchorsAndAliasesAreRejected() {
        assertError(HEAD.replace("audience: https://api.example.com/org", "audience: &aud https://api.example.com/org")
                        + "  - path: /a\n    audience: *aud\n", 3,
                "anchors ('&aud') are not allowed in a rules file; repeat the value instead");
        assertError(HEAD + "  - path: /a\n    scopes: *s\n", 6,
                "aliases ('*s') are not allowed in a rules file; repeat the value instead");
    }

    @Test
    void explicitTagsAreRejected() {
        assertError(HEAD + "  - path: !!binary /a\n", 5,
                "YAML tags ('tag:yaml.org,2002:binary') are not allowed in a rules file; quote the value if it should be text");
        assertError(HEAD + "  - path: /a\n    scopes: !custom [a]\n", 6,
                "YAML tags ('!custom') are not allowed in a rules file; quote the value if it should be text");
    }

    @Test
    void billionLaughsIsRejectedEarly() {
        StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            char p = (char) (c - 1);
            yaml.append(c).append(": &").append(c).append(" [*").append(p).append(", *").append(p).append(", *")
                    .append(p).append(", *").append(p).append("]\n");
        }
        RulesFileException e = fail(yaml.toString());
        assertEquals(1, e.line());
        assertEquals("anchors ('&a') are not allowed in a rules file; repeat the value instead", e.problem());
    }

    @Test
    void deepNestingIsRejected() {
        RulesFileException e = fail("[".repeat(100_000) + "]".repeat(100_000));
        assertEquals(1, e.line());
        assertEquals("nesting is too deep (more than 16 levels)", e.problem());
    }

    @Test
    void singleDocumentOnly() {
        assertError(HEAD + "  - path: /a\n---\nrealm: x\n", 6, "a rules file must contain a single YAML document");
    }

    @Test
    void emptyFile() {
        assertError("", 1, "the rules file is empty; it needs 'logto' and 'rules'");
        assertError("# only a comment\n", 1, "the rules file is empty; it needs 'logto' and 'rules'");
    }

    @Test
    void controlCharacterIsReportedWithLine() {
        RulesFileException e = fail(HEAD + "  - path: /a\u0001\n");
        assertEquals(5, e.line());
        assertEquals("invalid YAML: character U+0001 is not allowed", e.problem());
    }

    @Test
    void fileOverOneMebibyteIsRejected(@TempDir Path dir) throws IOException {
        String big = HEAD + "  - path: /a\n" + "#".repeat(1 << 20) + "\n";
        RulesFileException fromReader = fail(big);
        assertEquals(0, fromReader.line());
        assertEquals("rules.yaml: larger than 1 MiB; a rules file must be smaller", fromReader.getMessage());

        Path file = dir.resolve("big.yaml");
        Files.writeString(file, big);
        RulesFileException fromFile = assertThrows(RulesFileException.class, () -> RuleSet.load(file, VARS::get));
        assertEquals("larger than 1 MiB; a rules file must be smaller", fromFile.problem());

        String justUnder = HEAD + "  - path: /a\n" + "#".repeat((1 << 20) - HEAD.length() - 20) + "\n";
        Files.writeString(file, justUnder);
        assertEquals(1, RuleSet.load(file, VARS::get).rules().size());
    }

    @Test
    void unreadableAndNonUtf8Files(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.yaml");
        RulesFileException e = assertThrows(RulesFileException.class, () -> RuleSet.load(missing));
        assertEquals(0, e.line());
        assertTrue(e.problem().startsWith("cannot read: java.nio.file.NoSuchFileException"), e.problem());
        assertInstanceOf(IOException.class, e.getCause());

        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, (HEAD + "  - path: /caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("not valid UTF-8",
                assertThrows(RulesFileException.class, () -> RuleSet.load(latin1, VARS::get)).problem());
    }
}
