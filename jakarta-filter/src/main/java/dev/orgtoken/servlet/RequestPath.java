package dev.orgtoken.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The context-relative, decoded, normalized path that rules are matched against, or a refusal
 * when the raw request URI is ambiguous.
 *
 * <p>Path-confusion bypasses (Shiro's {@code /..;/}, Spring's {@code %2e}, Tomcat and Jetty's
 * ambiguous URIs) all live in the gap between the raw URI a security filter reads and the path
 * the container routes. We close the gap from both sides: anything that could be read two ways
 * is refused with 400 before any rule is tried, and the path we decode ourselves must equal the
 * path the container routes ({@code servletPath + pathInfo}); if the two disagree, the request
 * is refused too.
 */
final class RequestPath {
    private RequestPath() {}

    /** The raw URI could be read two ways. The message is fixed text, safe for the client. */
    static final class AmbiguousPathException extends Exception {
        private static final long serialVersionUID = 1L;

        AmbiguousPathException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The path this dispatch targets. For REQUEST, FORWARD, ASYNC and ERROR dispatches the
     * container sets the request's own path elements to the target. An INCLUDE keeps the outer
     * request's path elements and names its target only in the {@code jakarta.servlet.include.*}
     * attributes (Servlet 6.0 section 9.3.1), so deciding an include on the request's own path would
     * check the page that includes, not the one included (outside review, finding 2).
     *
     * @param request the request
     * @return the context-relative path ("/" for the context root)
     * @throws AmbiguousPathException when the raw URI is ambiguous, or an include names no target
     */
    static String of(HttpServletRequest request) throws AmbiguousPathException {
        if (request.getDispatcherType() == DispatcherType.INCLUDE) {
            if (!(request.getAttribute(RequestDispatcher.INCLUDE_REQUEST_URI) instanceof String uri)) {
                // A named dispatcher's include has no target path: nothing to decide it on.
                throw new AmbiguousPathException("included path is unknown");
            }
            return of(uri, (String) request.getAttribute(RequestDispatcher.INCLUDE_CONTEXT_PATH),
                    (String) request.getAttribute(RequestDispatcher.INCLUDE_SERVLET_PATH),
                    (String) request.getAttribute(RequestDispatcher.INCLUDE_PATH_INFO));
        }
        return of(request.getRequestURI(), request.getContextPath(), request.getServletPath(), request.getPathInfo());
    }

    private static String of(String raw, String contextPathOrNull, String servletPath, String pathInfo)
            throws AmbiguousPathException {
        if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
            throw new AmbiguousPathException("request path is not absolute");
        }
        checkRaw(raw);
        String contextPath = contextPathOrNull == null ? "" : contextPathOrNull;
        // The context path must be a whole-segment prefix: "/appx/api" is not in context "/app"
        // (a container never routes it there, but a wrapper could report it so).
        if (!raw.startsWith(contextPath)
                || (raw.length() > contextPath.length() && raw.charAt(contextPath.length()) != '/')) {
            throw new AmbiguousPathException("request path does not match its context");
        }
        String decoded = decode(raw.substring(contextPath.length()));
        if (decoded.isEmpty()) {
            decoded = "/";
        }
        String routed = routedPath(servletPath, pathInfo);
        if (routed != null && !routed.equals(decoded)) {
            throw new AmbiguousPathException("request path is ambiguous");
        }
        return decoded;
    }

    /** What the container routes: servletPath + pathInfo, both decoded by the container. */
    private static String routedPath(String servletPath, String pathInfo) {
        if (servletPath == null && pathInfo == null) {
            return null;
        }
        // No concatenation in the common cases: a "/*" mapping (servletPath "") or an exact one.
        String routed = servletPath == null || servletPath.isEmpty() ? (pathInfo == null ? "" : pathInfo)
                : pathInfo == null || pathInfo.isEmpty() ? servletPath : servletPath + pathInfo;
        return routed.isEmpty() ? "/" : routed;
    }

    private static void checkRaw(String raw) throws AmbiguousPathException {
        int segmentStart = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new AmbiguousPathException("request path contains a control character");
            }
            switch (c) {
                case ';' -> throw new AmbiguousPathException("request path contains a path parameter");
                case '\\' -> throw new AmbiguousPathException("request path contains a backslash");
                case '%' -> checkEscape(raw, i);
                case '/' -> {
                    checkSegment(raw, segmentStart, i);
                    segmentStart = i + 1;
                }
                default -> {
                    if (c > 0x7e) {
                        // Non-ASCII must arrive percent-encoded; raw bytes mean another decoder's guess.
                        throw new AmbiguousPathException("request path contains a raw non-ASCII character");
                    }
                }
            }
        }
        checkSegment(raw, segmentStart, raw.length());
    }

    private static void checkSegment(String raw, int start, int end) throws AmbiguousPathException {
        if (start == 0) {
            return;   // before the leading slash
        }
        int length = end - start;
        if (length == 0 && end != raw.length()) {
            throw new AmbiguousPathException("request path contains an empty segment");
        }
        if ((length == 1 && raw.charAt(start) == '.') || (length == 2 && raw.startsWith("..", start))) {
            throw new AmbiguousPathException("request path contains a dot segment");
        }
    }

    private static void checkEscape(String raw, int i) throws AmbiguousPathException {
        if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
            throw new AmbiguousPathException("request path contains a malformed escape");
        }
        int b = hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2));
        if (b < 0x20 || b == 0x7f) {
            throw new AmbiguousPathException("request path contains an encoded control character");
        }
        switch (b) {
            case '/', '\\', '.', ';', '%' ->
                throw new AmbiguousPathException("request path contains an encoded '/', '\\', '.', ';' or '%'");
            default -> { }
        }
    }

    private static String decode(String raw) throws AmbiguousPathException {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                bytes.write(hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2)));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        try {
            // Strict UTF-8: overlong forms (%C0%AE for '.') and lone surrogates are refused.
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new AmbiguousPathException("request path is not valid UTF-8");
        }
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
