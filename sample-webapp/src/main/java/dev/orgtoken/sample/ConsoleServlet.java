package dev.orgtoken.sample;

import dev.orgtoken.VerifiedToken;
import dev.orgtoken.servlet.OrganizationTokenFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/console/overview}: an endpoint for one client application only, the admin console
 * (the rules file's {@code clients} list on its rule): a token the same user got through another app
 * is refused before this runs. A local stand-in: it calls nothing.
 */
public final class ConsoleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        VerifiedToken token = OrganizationTokenFilter.verifiedToken(request).orElseThrow(
                () -> new IllegalStateException("the filter must run before this servlet"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("console", "overview");
        body.put("clientId", token.clientId().orElse(null));
        body.put("requestedBy", token.subject());
        Json.send(response, 200, body);
    }
}
