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
 * {@code GET /api/me}: echoes the verified principal, with its roles (the custom-claims {@code roles}
 * the rules file's {@code roles-claim} names). The filter has already checked the token. A
 * token-exchange (impersonation) token shows its {@code actor}: who is acting as {@code subject}.
 *
 * <p>{@code PUT /api/me/security}: changes the caller's security settings (a local stand-in: it calls
 * nothing). Its rule says {@code actor: deny}: a support agent impersonating the user must not do this,
 * so an impersonation token is refused before this runs.
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
        body.put("roles", token.roles());
        body.put("audiences", token.audiences());
        body.put("clientId", token.clientId().orElse(null));
        body.put("machineToMachine", token.isMachineToMachine());
        body.put("kind", token.isMachineToMachine() ? "m2m" : "user");
        Json.send(response, 200, body);
    }

    @Override
    protected void doPut(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!"/security".equals(request.getPathInfo())) {
            Json.problem(response, 404, "Not Found", "no such resource");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("updated", "security settings");
        body.put("subject", request.getUserPrincipal().getName());
        Json.send(response, 200, body);
    }
}
