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
 * {@code GET /api/me}: echoes the verified principal. The filter has already checked the token. A
 * token-exchange (impersonation) token shows its {@code actor}: who is acting as {@code subject}.
 */
public final class MeServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        VerifiedToken token = OrganizationTokenFilter.verifiedToken(request).orElseThrow(
                () -> new IllegalStateException("the filter must run before this servlet"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", request.getUserPrincipal().getName());
        body.put("actor", token.actor().orElse(null));
        body.put("authType", request.getAuthType());
        body.put("organizationId", token.organizationId().orElse(null));
        body.put("scopes", token.scopes());
        body.put("audiences", token.audiences());
        body.put("clientId", token.clientId().orElse(null));
        body.put("machineToMachine", token.isMachineToMachine());
        body.put("kind", token.isMachineToMachine() ? "m2m" : "user");
        Json.send(response, 200, body);
    }
}
