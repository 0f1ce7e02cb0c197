package dev.orgtoken.servlet;

import dev.orgtoken.VerifiedToken;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application behind the filter, mapped at {@code /*}: answers every method (HEAD without a
 * body) with 200 and what it saw, as JSON:
 * <pre>{@code
 * {"path":"/api/me","method":"GET","principal":"u1","authType":"Bearer",
 *  "roles":{"read:members":true},"organization":"o1"}
 * }</pre>
 * {@code roles} lists {@code isUserInRole} for each name in the query parameter {@code roles=a,b};
 * {@code organization} comes from {@link OrganizationTokenFilter#verifiedToken}. Counts its hits,
 * so a test can tell that a refusal never reached it, and keeps the last request it saw (for HEAD).
 */
final class EchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /** What the application saw of one request. */
    record Seen(String path, String method, String principal, String authType, Map<String, Boolean> roles,
            String organization, boolean verifiedToken) {}

    private final transient AtomicInteger hits = new AtomicInteger();
    private transient volatile Seen last;

    int hits() {
        return hits.get();
    }

    Seen last() {
        return last;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        hits.incrementAndGet();
        String path = (request.getServletPath() == null ? "" : request.getServletPath())
                + (request.getPathInfo() == null ? "" : request.getPathInfo());
        Principal principal = request.getUserPrincipal();
        Map<String, Boolean> roles = new LinkedHashMap<>();
        String roleNames = request.getParameter("roles");
        if (roleNames != null && !roleNames.isEmpty()) {
            for (String role : roleNames.split(",")) {
                roles.put(role, request.isUserInRole(role));
            }
        }
        VerifiedToken token = OrganizationTokenFilter.verifiedToken(request).orElse(null);
        Seen seen = new Seen(path, request.getMethod(), principal == null ? null : principal.getName(),
                request.getAuthType(), roles, token == null ? null : token.organizationId().orElse(null),
                token != null);
        last = seen;

        StringBuilder json = new StringBuilder("{\"path\":").append(json(seen.path()))
                .append(",\"method\":").append(json(seen.method()))
                .append(",\"principal\":").append(json(seen.principal()))
                .append(",\"authType\":").append(json(seen.authType()))
                .append(",\"roles\":{");
        String sep = "";
        for (Map.Entry<String, Boolean> e : roles.entrySet()) {
            json.append(sep).append(json(e.getKey())).append(':').append(e.getValue());
            sep = ",";
        }
        json.append("},\"organization\":").append(json(seen.organization()))
                .append(",\"verifiedToken\":").append(seen.verifiedToken()).append('}');
        byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(200);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(body.length);
        if (!"HEAD".equals(request.getMethod())) {
            response.getOutputStream().write(body);
        }
    }

    private static String json(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
