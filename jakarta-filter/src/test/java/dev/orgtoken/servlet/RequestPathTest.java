package dev.orgtoken.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link RequestPath}: examples, beside {@link RequestPathFuzzTest}'s properties. */
class RequestPathTest {
    private static String path(ContainerRequest r) throws RequestPath.AmbiguousPathException {
        return RequestPath.of(r.build());
    }

    private static String refused(ContainerRequest r) {
        return assertThrows(RequestPath.AmbiguousPathException.class, () -> RequestPath.of(r.build())).getMessage();
    }

    @Test
    void theDecodedContextRelativePath() throws Exception {
        assertEquals("/api/caf\u00e9", path(ContainerRequest.to("/x")
                .uri("/app/api/caf%C3%A9", "/app", "/api", "/caf\u00e9")));
        assertEquals("/", path(ContainerRequest.to("/x").uri("/app", "/app", "", null)));
        assertEquals("/api/x/", path(ContainerRequest.to("/api/x/")), "a trailing slash is kept; the rules ignore it");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/a;b          | request path contains a path parameter",
            "/a\\b         | request path contains a backslash",
            "/a//b         | request path contains an empty segment",
            "/a/../b       | request path contains a dot segment",
            "/a/%2e        | request path contains an encoded '/', '\\', '.', ';' or '%'",
            "/a%2fb        | request path contains an encoded '/', '\\', '.', ';' or '%'",
            "/a%0a         | request path contains an encoded control character",
            "/a%zz         | request path contains a malformed escape",
            "/%C0%AE       | request path is not valid UTF-8",
            "a             | request path is not absolute"})
    void ambiguousRawPathsAreRefused(String raw, String message) {
        assertEquals(message, refused(ContainerRequest.to("/x").uri(raw, "", "", null)));
    }

    @Test
    void theRoutedPathMustAgree() {
        assertEquals("request path is ambiguous", refused(ContainerRequest.to("/x").uri("/api/me", "", "/api", "/other")));
        assertEquals("request path does not match its context",
                refused(ContainerRequest.to("/x").uri("/appx/api", "/app", "/api", null)));
    }

    /** Outside review, finding 2: an include is decided on the included path, named by the include attributes. */
    @Test
    void anIncludeIsDecidedOnItsTarget() throws Exception {
        ContainerRequest include = ContainerRequest.to("/public/page").dispatch(DispatcherType.INCLUDE)
                .attribute(RequestDispatcher.INCLUDE_REQUEST_URI, "/app/api/me")
                .attribute(RequestDispatcher.INCLUDE_CONTEXT_PATH, "/app")
                .attribute(RequestDispatcher.INCLUDE_SERVLET_PATH, "/api/me");
        assertEquals("/api/me", path(include));
        // The included target is checked like any request path.
        include.attribute(RequestDispatcher.INCLUDE_REQUEST_URI, "/app/api/..%2fadmin");
        assertEquals("request path contains an encoded '/', '\\', '.', ';' or '%'", refused(include));
        // A named dispatcher's include has no target path at all.
        assertEquals("included path is unknown",
                refused(ContainerRequest.to("/public/page").dispatch(DispatcherType.INCLUDE)));
    }

    @Test
    void aForwardIsDecidedOnItsOwnPathElements() throws Exception {
        // A container sets a forward's path elements to the target (Servlet 6.0 section 9.4).
        assertEquals("/api/me", path(ContainerRequest.to("/api/me").dispatch(DispatcherType.FORWARD)));
    }
}
