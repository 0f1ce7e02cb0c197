package dev.orgtoken.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Fuzz target (Jazzer) for the filter's raw request-path handling ({@link RequestPath}), through
 * a minimal {@link HttpServletRequest}: a dynamic proxy that answers the methods a container
 * would ({@code getRequestURI}, {@code getContextPath}, {@code getServletPath},
 * {@code getPathInfo}, {@code getDispatcherType}, and the {@code jakarta.servlet.include.*}
 * attributes) and throws on anything else. It stands in for the container, not for our code.
 * Each input is tried as a REQUEST and as the target of an INCLUDE, which must agree.
 *
 * <p>Input, read as ISO-8859-1 and split on newlines: the raw request URI; optionally the context
 * path (default {@code ""}); optionally the path the container routed (servlet path + path info;
 * absent: the container reports none). Properties:
 * <ul>
 *   <li>{@link RequestPath#of} returns or throws {@link RequestPath.AmbiguousPathException},
 *       nothing else;</li>
 *   <li>an accepted path starts with {@code /}, is exactly the strict UTF-8 percent-decoding of
 *       the raw URI after the context path, equals the routed path when there is one, and has no
 *       empty (except a trailing one), {@code .} or {@code ..} segment, no {@code ;}, {@code \},
 *       {@code %}-decoded {@code /}, or control character below U+0020;</li>
 *   <li>a plain path ({@code /} and segments of letters, digits, {@code -} and {@code _}) in the
 *       root context is never refused.</li>
 * </ul>
 * Seeds: {@code src/test/resources/dev/orgtoken/servlet/RequestPathFuzzTestInputs/requestPath/}
 * (the path-bypass corpus's raw URIs, among others).
 */
class RequestPathFuzzTest {
    private static final Pattern PLAIN = Pattern.compile("/|(/[A-Za-z0-9_-]+)+/?");

    @FuzzTest(maxDuration = "10s")
    void requestPath(byte[] input) {
        String[] lines = new String(input, StandardCharsets.ISO_8859_1).split("\n", -1);
        String raw = lines[0];
        String contextPath = lines.length > 1 ? lines[1] : "";
        String routed = lines.length > 2 ? lines[2] : null;
        HttpServletRequest request = request(raw, contextPath, routed == null ? null : "",
                routed == null ? null : routed);
        // The same target reached by an INCLUDE: only the jakarta.servlet.include.* attributes name
        // it, and it must get exactly the same answer.
        HttpServletRequest include = include("/outer/page", raw, contextPath, routed == null ? null : "",
                routed == null ? null : routed);
        String path;
        try {
            path = RequestPath.of(request);
        } catch (RequestPath.AmbiguousPathException e) {
            try {
                String included = RequestPath.of(include);
                fail("an include of " + raw + " was accepted as " + included + " but refused as a request");
            } catch (RequestPath.AmbiguousPathException expected) {
                assertEquals(e.getMessage(), expected.getMessage());
            }
            assertFalse(e.getMessage().isEmpty());
            if (contextPath.isEmpty() && routed == null && PLAIN.matcher(raw).matches()) {
                fail("refused the plain path " + raw + ": " + e.getMessage());
            }
            return;
        }
        try {
            assertEquals(path, RequestPath.of(include), "the include's target");
        } catch (RequestPath.AmbiguousPathException e) {
            fail("an include of " + raw + " was refused but accepted as a request: " + e.getMessage());
        }
        assertTrue(path.startsWith("/"), () -> "accepted a path that does not start with '/': " + path);
        assertEquals(strictDecode(raw.substring(contextPath.length())), path);
        if (routed != null) {
            assertEquals(routed.isEmpty() ? "/" : routed, path);
        }
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            assertFalse(s.isEmpty() && i < segments.length - 1 && segments.length > 1, () -> "empty segment in " + path);
            assertFalse(s.equals(".") || s.equals(".."), () -> "dot segment in " + path);
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            assertFalse(c < 0x20 || c == 0x7f || c == ';' || c == '\\', () -> "character U+"
                    + Integer.toHexString(c) + " in " + path);
        }
        String rest = raw.substring(contextPath.length());
        long rawSlashes = rest.isEmpty() ? 1 : rest.chars().filter(c -> c == '/').count();
        assertEquals(rawSlashes, path.chars().filter(c -> c == '/').count(),
                () -> "a '/' was decoded from an escape in " + raw);
    }

    /** Percent-decoding as UTF-8, refusing nothing but malformed input (null then). */
    private static String strictDecode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
            return s.isEmpty() ? "/" : s;
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    /**
     * An INCLUDE dispatch as a container presents it: the outer request's own path elements, and
     * the target in the {@code jakarta.servlet.include.*} attributes.
     */
    static HttpServletRequest include(String outerUri, String requestUri, String contextPath, String servletPath,
            String pathInfo) {
        Map<String, Object> attributes = new HashMap<>();
        attributes.put(RequestDispatcher.INCLUDE_REQUEST_URI, requestUri);
        attributes.put(RequestDispatcher.INCLUDE_CONTEXT_PATH, contextPath);
        attributes.put(RequestDispatcher.INCLUDE_SERVLET_PATH, servletPath);
        attributes.put(RequestDispatcher.INCLUDE_PATH_INFO, pathInfo);
        return request(outerUri, contextPath, outerUri, null, DispatcherType.INCLUDE, attributes);
    }

    /** The container's side of a request: four getters, nothing else. */
    static HttpServletRequest request(String requestUri, String contextPath, String servletPath, String pathInfo) {
        return request(requestUri, contextPath, servletPath, pathInfo, DispatcherType.REQUEST, Map.of());
    }

    private static HttpServletRequest request(String requestUri, String contextPath, String servletPath,
            String pathInfo, DispatcherType dispatch, Map<String, Object> attributes) {
        return (HttpServletRequest) Proxy.newProxyInstance(RequestPathFuzzTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getDispatcherType":
                            return dispatch;
                        case "getAttribute":
                            return attributes.get((String) args[0]);
                        case "getRequestURI":
                            return requestUri;
                        case "getContextPath":
                            return contextPath;
                        case "getServletPath":
                            return servletPath;
                        case "getPathInfo":
                            return pathInfo;
                        case "toString":
                            return "request " + requestUri;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            throw new UnsupportedOperationException("RequestPath called " + method.getName());
                    }
                });
    }
}
