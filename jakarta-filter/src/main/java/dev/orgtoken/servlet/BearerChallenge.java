package dev.orgtoken.servlet;

import dev.orgtoken.ErrorCode;
import dev.orgtoken.TokenRejectedException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Writes every refusal the filter makes, in one place, whether the filter decided it
 * ({@link RequestRefusal}) or the verifier did ({@link TokenRejectedException}): the status, an
 * RFC 6750 {@code WWW-Authenticate} challenge, and an RFC 9457 {@code application/problem+json} body.
 * Descriptions are fixed text chosen by this library; nothing taken from the request (least of
 * all the token) is ever written back.
 *
 * @param status the HTTP status
 * @param error the RFC 6750 error code, or null for none
 * @param description a short, safe description
 * @param scopes the scopes to announce in a 403 challenge
 * @param retryAfterSeconds for 503, the {@code Retry-After} value; otherwise 0
 * @param challenge whether to send {@code WWW-Authenticate}
 * @param allow for 405, the methods for the {@code Allow} header; otherwise empty
 */
record BearerChallenge(int status, String error, String description, Set<String> scopes, long retryAfterSeconds,
        boolean challenge, Set<String> allow) {

    BearerChallenge(int status, String error, String description, Set<String> scopes, long retryAfterSeconds,
            boolean challenge) {
        this(status, error, description, scopes, retryAfterSeconds, challenge, Set.of());
    }

    /** The fixed descriptions of request refusals whose text does not vary. */
    static final String MISSING_TOKEN = "a bearer token is required";
    static final String NO_MATCHING_RULE = "no rule allows this request";
    static final String METHOD_NOT_ALLOWED = "no rule allows this method on this path";
    static final String BLANK_PATH_VALUE = "request path names a blank organization or audience";

    /**
     * A refusal the filter decides before any token is verified.
     *
     * @param reason the refusal, which fixes status, challenge and error
     * @param description fixed text chosen by this library
     * @param allowed for {@link RequestRefusal#METHOD_NOT_ALLOWED}, the {@code Allow} methods (RFC
     *     9110 section 15.5.6 requires the header); otherwise empty
     */
    static BearerChallenge of(RequestRefusal reason, String description, Set<String> allowed) {
        return new BearerChallenge(reason.httpStatus(), reason.bearerError(), description, Set.of(), 0,
                reason.challenges(), allowed);
    }

    /**
     * A refusal by the verifier.
     *
     * @param rejection the verifier's refusal; its message is fixed, safe text
     * @param retryAfterSeconds the {@code Retry-After} of a 503 ({@link ErrorCode#KEYS_UNAVAILABLE},
     *     {@link ErrorCode#VERIFICATION_BUSY})
     */
    static BearerChallenge of(TokenRejectedException rejection, long retryAfterSeconds) {
        return switch (rejection.errorCode()) {
            case INVALID_REQUEST -> new BearerChallenge(400, "invalid_request", rejection.getMessage(), Set.of(), 0, true);
            case INVALID_TOKEN -> new BearerChallenge(401, "invalid_token", rejection.getMessage(), Set.of(), 0, true);
            case INSUFFICIENT_SCOPE -> new BearerChallenge(403, "insufficient_scope", rejection.getMessage(),
                    rejection.requiredScopes(), 0, true);
            case KEYS_UNAVAILABLE -> new BearerChallenge(503, null, "token keys are temporarily unavailable", Set.of(),
                    retryAfterSeconds, false);
            case VERIFICATION_BUSY -> new BearerChallenge(503, null, "token verification is busy; retry shortly", Set.of(),
                    retryAfterSeconds, false);
        };
    }

    /**
     * An ERROR dispatch to an error page the rules refuse this request: the status the application
     * (or container) chose stands, without the page. Writing it directly rather than calling
     * {@code sendError} is what keeps the error page from looping into another refusal.
     */
    BearerChallenge withholdingErrorPage(int errorStatus) {
        int code = errorStatus >= 400 && errorStatus <= 599 ? errorStatus : 500;
        return new BearerChallenge(code, null, "the error page is not available to this request", Set.of(), 0, false);
    }

    /** The {@code WWW-Authenticate} value (RFC 6750 section 3). */
    String headerValue(String realm) {
        StringBuilder b = new StringBuilder("Bearer realm=\"").append(quote(realm)).append('"');
        if (error != null) {
            b.append(", error=\"").append(error).append('"');
            b.append(", error_description=\"").append(quote(description)).append('"');
        }
        if (!scopes.isEmpty()) {
            b.append(", scope=\"").append(quote(String.join(" ", scopes))).append('"');
        }
        return b.toString();
    }

    void write(HttpServletResponse response, String realm) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        if (challenge) {
            response.setHeader("WWW-Authenticate", headerValue(realm));
        }
        if (!allow.isEmpty()) {
            response.setHeader("Allow", String.join(", ", allow));
        }
        if (retryAfterSeconds > 0) {
            response.setHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        String json = problemJson();
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        try {
            response.getOutputStream().write(body);
        } catch (IllegalStateException e) {
            // The application took the writer before it forwarded here (a JSP, say): a response
            // has one or the other (Servlet 6.0 section 5.5), and Tomcat throws. Our text is ASCII.
            response.getWriter().write(json);
        }
        response.flushBuffer();
    }

    /** RFC 9457 problem details, with the RFC 6750 error as an extension member. */
    String problemJson() {
        StringBuilder b = new StringBuilder(160).append("{\"type\":\"about:blank\",\"title\":\"")
                .append(json(title())).append("\",\"status\":").append(status)
                .append(",\"detail\":\"").append(json(description)).append('"');
        if (error != null) {
            b.append(",\"error\":\"").append(error).append('"');
        }
        if (!scopes.isEmpty()) {
            b.append(",\"scope\":\"").append(json(String.join(" ", scopes))).append('"');
        }
        return b.append('}').toString();
    }

    private String title() {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }

    /** quoted-string content (RFC 9110): escape backslash and quote, drop controls. */
    private static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
