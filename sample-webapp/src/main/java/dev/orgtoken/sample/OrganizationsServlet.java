package dev.orgtoken.sample;

import dev.orgtoken.VerifiedToken;
import dev.orgtoken.servlet.OrganizationTokenFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jose4j.json.JsonUtil;

/**
 * {@code /api/organizations} and below. By the time a method here runs, the filter has verified
 * the token and the rule's organization and scopes: the servlet only does the work.
 *
 * <ul>
 *   <li>{@code GET /api/organizations/{id}/members}: read:members in that organization.</li>
 *   <li>{@code POST /api/organizations/{id}/invitations}: invite:member in that organization.</li>
 *   <li>{@code POST /api/organizations}: the global org:create scope; then the server creates the
 *       organization in Logto with its own M2M credentials and adds the caller as a member.</li>
 * </ul>
 */
public final class OrganizationsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final int MAX_BODY = 16 * 1024;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String[] parts = segments(request);
        if (parts.length == 2 && parts[1].equals("members")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("organizationId", parts[0]);
            body.put("members", List.of(Map.of("id", "user-alice", "role", "admin"), Map.of("id", "user-bob", "role", "member")));
            body.put("requestedBy", request.getUserPrincipal().getName());
            Json.send(response, 200, body);
            return;
        }
        Json.problem(response, 404, "Not Found", "no such resource");
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String[] parts = segments(request);
        if (parts.length == 0) {
            createOrganization(request, response);
        } else if (parts.length == 2 && parts[1].equals("invitations")) {
            Map<String, Object> invitation = readJson(request);
            Object email = invitation == null ? null : invitation.get("email");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("organizationId", parts[0]);
            body.put("email", email instanceof String s ? s : "invitee@example.com");
            body.put("invitedBy", request.getUserPrincipal().getName());
            body.put("status", "pending");
            Json.send(response, 201, body);
        } else {
            Json.problem(response, 404, "Not Found", "no such resource");
        }
    }

    private void createOrganization(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, Object> input = readJson(request);
        Object name = input == null ? null : input.get("name");
        if (!(name instanceof String n) || n.isBlank() || n.length() > 128) {
            Json.problem(response, 400, "Bad Request", "body must be JSON {\"name\": \"...\"} with 1 to 128 characters");
            return;
        }
        ManagementApi api = (ManagementApi) getServletContext().getAttribute(SampleContextListener.MANAGEMENT_API);
        if (api == null) {
            Json.problem(response, 503, "Service Unavailable", "the Management API credentials are not configured");
            return;
        }
        VerifiedToken caller = OrganizationTokenFilter.verifiedToken(request).orElseThrow();
        try {
            // The user's token was verified and authorised by the filter; now the server acts
            // with its own credentials. The user's token is never sent to Logto.
            Map<String, Object> organization = api.createOrganization(n.trim());
            String id = String.valueOf(organization.get("id"));
            List<String> added = List.of();
            if (!caller.isMachineToMachine()) {
                api.addUsers(id, List.of(caller.subject()));
                added = List.of(caller.subject());
            }
            Map<String, Object> body = new LinkedHashMap<>(organization);
            body.put("membersAdded", added);
            response.setHeader("Location", "/api/organizations/" + id);
            Json.send(response, 201, body);
        } catch (ManagementApiException e) {
            log("Management API call failed: " + e.getMessage());
            Json.problem(response, 502, "Bad Gateway", "Logto Management API: " + e.getMessage());
        }
    }

    private static String[] segments(HttpServletRequest request) {
        String info = request.getPathInfo();
        if (info == null || info.equals("/")) {
            return new String[0];
        }
        return info.substring(1).split("/", -1);
    }

    private static Map<String, Object> readJson(HttpServletRequest request) throws IOException {
        try (InputStream in = request.getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length == 0 || bytes.length > MAX_BODY) {
                return null;
            }
            return JsonUtil.parseJson(new String(bytes, StandardCharsets.UTF_8));
        } catch (org.jose4j.lang.JoseException | RuntimeException e) {
            return null;
        }
    }
}
