package dev.orgtoken.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathPatternTest {

    private static Optional<Map<String, String>> match(String pattern, String path) {
        PathPattern p = PathPattern.compile(pattern);
        Optional<Map<String, String>> result = p.match(path);
        assertEquals(result.isPresent(), p.matches(path), "matches() and match() disagree for " + pattern + " " + path);
        return result;
    }

    @Test
    void literalMatchesExactlyAndCaseSensitively() {
        assertEquals(Optional.of(Map.of()), match("/api/me", "/api/me"));
        assertTrue(match("/api/me", "/api/Me").isEmpty());
        assertTrue(match("/api/me", "/API/me").isEmpty());
        assertTrue(match("/api/me", "/api/mee").isEmpty());
        assertTrue(match("/api/me", "/api/m").isEmpty());
        assertTrue(match("/api/me", "/api").isEmpty());
        assertTrue(match("/api/me", "/api/me/x").isEmpty());
        assertTrue(match("/api/me", "/apix/me").isEmpty());
    }

    @Test
    void rootMatchesOnlyRoot() {
        assertEquals(Optional.of(Map.of()), match("/", "/"));
        assertTrue(match("/", "/a").isEmpty());
        assertTrue(match("/a", "/").isEmpty());
    }

    @Test
    void variableCapturesOneNonEmptySegment() {
        assertEquals(Optional.of(Map.of("organizationId", "org-1")),
                match("/orgs/{organizationId}/settings", "/orgs/org-1/settings"));
        assertTrue(match("/orgs/{organizationId}/settings", "/orgs/settings").isEmpty());
        assertTrue(match("/orgs/{organizationId}/settings", "/orgs/a/b/settings").isEmpty());
        assertTrue(match("/orgs/{organizationId}", "/orgs").isEmpty());
    }

    @Test
    void capturesSeveralVariablesInOrder() {
        PathPattern p = PathPattern.compile("/a/{first}/b/{second}/c/{third}/{fourth}");
        assertEquals(List.of("first", "second", "third", "fourth"), List.copyOf(p.variables()));
        assertEquals(Optional.of(Map.of("first", "1", "second", "2", "third", "3", "fourth", "4")),
                p.match("/a/1/b/2/c/3/4"));
        assertEquals(Optional.of(Map.of("x", "1", "y", "2")), match("/{x}/{y}", "/1/2"));
    }

    @Test
    void capturedValuesAreTheDecodedSegmentsAsGiven() {
        assertEquals(Optional.of(Map.of("id", "a b:ü")), match("/u/{id}", "/u/a b:ü"));
    }

    @Test
    void singleStarMatchesExactlyOneSegment() {
        assertEquals(Optional.of(Map.of()), match("/files/*/meta", "/files/x/meta"));
        assertTrue(match("/files/*/meta", "/files/meta").isEmpty());
        assertTrue(match("/files/*/meta", "/files/x/y/meta").isEmpty());
        assertTrue(match("/files/*", "/files").isEmpty());
    }

    @Test
    void doubleStarMatchesZeroOrMoreTrailingSegments() {
        assertTrue(match("/api/**", "/api").isPresent());
        assertTrue(match("/api/**", "/api/a").isPresent());
        assertTrue(match("/api/**", "/api/a/b/c/d").isPresent());
        assertTrue(match("/api/**", "/apix").isEmpty());
        assertTrue(match("/api/**", "/").isEmpty());
        assertTrue(match("/**", "/").isPresent());
        assertTrue(match("/**", "/anything/at/all").isPresent());
    }

    @Test
    void doubleStarAfterVariableStillCaptures() {
        assertEquals(Optional.of(Map.of("organizationId", "o1")),
                match("/api/organizations/{organizationId}/members/**", "/api/organizations/o1/members"));
        assertEquals(Optional.of(Map.of("organizationId", "o1")),
                match("/api/organizations/{organizationId}/members/**", "/api/organizations/o1/members/u1/roles"));
        assertTrue(match("/api/organizations/{organizationId}/members/**", "/api/organizations/o1").isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "api", "/api//x", "/api/./x", "/api/../x", "/api/.", "/..", "//", "/a//", "/./", "/../"})
    void ambiguousOrUnnormalizedPathsMatchNothing(String path) {
        assertFalse(PathPattern.compile("/**").matches(path));
        assertTrue(PathPattern.compile("/**").match(path).isEmpty());
    }

    /** Outside review, finding 1: "/x/" is decided like "/x", so it can never fall through to "unmatched". */
    @Test
    void oneTrailingSlashMatchesLikeThePathWithoutIt() {
        assertTrue(PathPattern.compile("/api").matches("/api/"));
        assertTrue(PathPattern.compile("/api/**").matches("/api/"));
        assertTrue(PathPattern.compile("/api/**").matches("/api/a/b/"));
        assertFalse(PathPattern.compile("/api/*").matches("/api/"));
        assertEquals(Optional.of(Map.of("organizationId", "o2")),
                PathPattern.compile("/orgs/{organizationId}/members").match("/orgs/o2/members/"));
        assertEquals(Optional.of(Map.of("organizationId", "o2")),
                PathPattern.compile("/orgs/{organizationId}").match("/orgs/o2/"));
        assertTrue(PathPattern.compile("/orgs/{organizationId}").match("/orgs/").isEmpty(), "no empty capture");
        assertTrue(PathPattern.compile("/").matches("/"));
    }

    @Test
    void nullPathMatchesNothing() {
        assertFalse(PathPattern.compile("/**").matches(null));
    }

    @Test
    void dotsInsideSegmentsAreOrdinary() {
        assertTrue(match("/{file}", "/.well-known").isPresent());
        assertTrue(match("/{file}", "/...").isPresent());
        assertTrue(match("/a.b/{x}", "/a.b/..c").isPresent());
    }

    @Test
    void variablesAndToString() {
        PathPattern p = PathPattern.compile("/orgs/{organizationId}/x/*/**");
        assertEquals(Set.of("organizationId"), p.variables());
        assertEquals("/orgs/{organizationId}/x/*/**", p.toString());
        assertEquals(PathPattern.compile("/orgs/{organizationId}/x/*/**"), p);
        assertEquals(Set.of(), PathPattern.compile("/").variables());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "api                | path pattern 'api' must start with '/'",
        "/api/              | path pattern '/api/' must not end with '/' (write '/api' or '/api/**')",
        "/api//x            | path pattern '/api//x' has an empty segment ('//')",
        "/api/**/x          | path pattern '/api/**/x' uses '**' before the last segment; '**' is only allowed at the end",
        "/a{b}              | path pattern '/a{b}' has segment 'a{b}' that mixes literal text with a variable or wildcard; a segment is either literal text, '{name}', '*' or '**'",
        "/x*                | path pattern '/x*' has segment 'x*' that mixes literal text with a variable or wildcard; a segment is either literal text, '{name}', '*' or '**'",
        "/***               | path pattern '/***' has segment '***' that mixes literal text with a variable or wildcard; a segment is either literal text, '{name}', '*' or '**'",
        "/{a}{b}            | path pattern '/{a}{b}' has segment '{a}{b}' that mixes literal text with a variable or wildcard; a segment is either literal text, '{name}', '*' or '**'",
        "/{}                | path pattern '/{}' has an empty variable name '{}'",
        "/{1x}              | path pattern '/{1x}' has an invalid variable name '1x' (use letters, digits and '_', not starting with a digit)",
        "/{a-b}             | path pattern '/{a-b}' has an invalid variable name 'a-b' (use letters, digits and '_', not starting with a digit)",
        "/{id}/x/{id}       | path pattern '/{id}/x/{id}' captures variable '{id}' more than once",
        "/a/../b            | path pattern '/a/../b' has a '..' segment",
        "/a/./b             | path pattern '/a/./b' has a '.' segment",
        "/a%2Fb             | path pattern '/a%2Fb' has a '%' in segment 'a%2Fb' (patterns match decoded, normalized paths without parameters or query)",
        "/a;jsessionid=1    | path pattern '/a;jsessionid=1' has a ';' in segment 'a;jsessionid=1' (patterns match decoded, normalized paths without parameters or query)",
        "/a\\b              | path pattern '/a\\b' has a '\\' in segment 'a\\b' (patterns match decoded, normalized paths without parameters or query)",
        "/a?x=1             | path pattern '/a?x=1' has a '?' in segment 'a?x=1' (patterns match decoded, normalized paths without parameters or query)",
    })
    void rejectsBadPatterns(String pattern, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PathPattern.compile(pattern));
        assertEquals(message, e.getMessage());
    }

    @Test
    void rejectsEmptyPatternAndControlCharacters() {
        assertEquals("path pattern must not be empty",
                assertThrows(IllegalArgumentException.class, () -> PathPattern.compile("")).getMessage());
        assertEquals("path pattern '/a\tb' has a control character in segment 'a?b'",
                assertThrows(IllegalArgumentException.class, () -> PathPattern.compile("/a\tb")).getMessage());
    }
}
