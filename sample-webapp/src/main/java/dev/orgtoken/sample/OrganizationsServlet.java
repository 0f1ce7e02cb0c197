package dev.orgtoken.sample;

import dev.orgtoken.VerifiedToken;
import dev.orgtoken.servlet.OrganizationTokenFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jose4j.json.JsonUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/organizations} and below. By the time a method here runs, the filter has verified
 * the token and the rule's organization and scopes: the servlet only does the work.
 *
 * <ul>
 *   <li>{@code GET /api/organizations/{id}/members}: read:members in that organization; the members
 *       come from Logto's Management API, read with the server's own M2M token.</li>
 *   <li>{@code POST /api/organizations/{id}/invitations}: invite:member in that organization (a local
 *       stand-in: it calls nothing).</li>
 *   <li>{@code GET /api/organizations/{id}/billing}: that organization, and the role
 *       {@code billing-admin} in the token's roles claim (a local stand-in: it calls nothing).</li>
 *   <li>{@code POST /api/organizations}: the global org:create scope; then the server creates the
 *       organization in Logto with its own M2M credentials and adds the caller as a member, deleting
 *       the organization again if that fails.</li>
 * </ul>
 */
public final class OrganizationsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(OrganizationsServlet.class);
    private static final int MAX_BODY = 16 * 1024;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String[] parts = segments(request);
        if (parts.length == 2 && parts[1].equals("members")) {
            listMembers(request, response, parts[0]);
            return;
        }
        if (parts.length == 2 && parts[1].equals("billing")) {
            VerifiedToken token = OrganizationTokenFilter.verifiedToken(request).orElseThrow();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("organizationId", parts[0]);
            body.put("plan", "team");
            body.put("requestedBy", token.subject());
            body.put("roles", token.roles());
            Json.send(response, 200, body);
            return;
        }
        Json.problem(response, 404, "Not Found", "no such resource");
    }

    /**
     * The organization's members, read from Logto's Management API ({@code GET
     * /api/organizations/{id}/users}) with the server's own token: the filter has already checked
     * that the caller's token is for this organization with {@code read:members}.
     */
    private void listMembers(HttpServletRequest request, HttpServletResponse response, String organizationId)
            throws IOException {
        ManagementApi api = managementApi(response);
        if (api == null) {
            return;
        }
        try {
            ManagementApi.Members page = api.members(organizationId);
            List<Object> members = new ArrayList<>();
            for (ManagementApi.Member m : page.members()) {
                Map<String, Object> member = new LinkedHashMap<>();
                member.put("id", m.id());
                member.put("username", m.username());
                member.put("name", m.name());
                member.put("roles", m.roles());
                members.add(member);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("organizationId", organizationId);
            body.put("members", members);
            body.put("total", page.total());
            body.put("requestedBy", request.getUserPrincipal().getName());
            Json.send(response, 200, body);
        } catch (ManagementApiException e) {
            LOG.warn("listing the members of organization {} failed: {}", organizationId, e.getMessage());
            Json.problem(response, 502, "Bad Gateway", "Logto Management API: " + e.getMessage());
        }
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

    /**
     * Creates the organization in Logto, then adds the caller as its member: two Management API
     * calls, which Logto cannot make atomic. When the second fails, the first is undone (the
     * organization is deleted), so the caller gets 502 and nothing exists: retrying is safe. Only if
     * the deletion fails too does an organization without members remain; the 502 then names it
     * ({@code organizationId}) so the caller or an operator can finish, and the log says so.
     */
    private void createOrganization(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, Object> input = readJson(request);
        Object name = input == null ? null : input.get("name");
        if (!(name instanceof String n) || n.isBlank() || n.length() > 128) {
            Json.problem(response, 400, "Bad Request", "body must be JSON {\"name\": \"...\"} with 1 to 128 characters");
            return;
        }
        ManagementApi api = managementApi(response);
        if (api == null) {
            return;
        }
        VerifiedToken caller = OrganizationTokenFilter.verifiedToken(request).orElseThrow();
        String actor = caller.actor().orElse(null);
        // The user's token was verified and authorised by the filter; now the server acts with its
        // own credentials. The user's token is never sent to Logto.
        Map<String, Object> organization;
        try {
            organization = api.createOrganization(n.trim());
        } catch (ManagementApiException e) {
            LOG.warn("creating an organization for {}{} failed: {}", caller.subject(), actorNote(actor), e.getMessage());
            Json.problem(response, 502, "Bad Gateway", "Logto Management API: " + e.getMessage());
            return;
        }
        String id = String.valueOf(organization.get("id"));
        List<String> added = List.of();
        if (!caller.isMachineToMachine()) {
            try {
                api.addUsers(id, List.of(caller.subject()));
                added = List.of(caller.subject());
            } catch (ManagementApiException e) {
                undoCreation(response, api, id, caller.subject(), actor, e);
                return;
            }
        }
        LOG.info("organization {} created for {}{} through the Management API", id, caller.subject(),
                actorNote(actor));
        Map<String, Object> body = new LinkedHashMap<>(organization);
        body.put("membersAdded", added);
        body.put("createdFor", caller.subject());
        body.put("actor", actor);
        response.setHeader("Location", "/api/organizations/" + id);
        Json.send(response, 201, body);
    }

    /** Deletes an organization whose member could not be added; answers 502 either way. */
    private static void undoCreation(HttpServletResponse response, ManagementApi api, String id, String subject,
            String actor, ManagementApiException cause) throws IOException {
        try {
            api.deleteOrganization(id);
        } catch (ManagementApiException e) {
            LOG.error("organization {} was created for {}{} but adding the member failed ({}) and deleting it"
                    + " failed ({}): it exists without members", id, subject, actorNote(actor), cause.getMessage(),
                    e.getMessage());
            Map<String, Object> problem = problem("Logto Management API: " + cause.getMessage() + "; organization "
                    + id + " was created but could not be deleted again and has no members: add the member or"
                    + " delete it");
            problem.put("organizationId", id);
            Json.send(response, 502, "application/problem+json", problem);
            return;
        }
        LOG.warn("organization {} for {}{} deleted again: adding the member failed ({})", id, subject,
                actorNote(actor), cause.getMessage());
        Json.problem(response, 502, "Bad Gateway", "Logto Management API: " + cause.getMessage()
                + "; the organization was deleted again, nothing was created");
    }

    private static Map<String, Object> problem(String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", "Bad Gateway");
        problem.put("status", 502);
        problem.put("detail", detail);
        return problem;
    }

    private static String actorNote(String actor) {
        return actor == null ? "" : " (actor " + actor + ")";
    }

    /** The Management API client, or {@code null} after answering 503 when it is not configured. */
    private ManagementApi managementApi(HttpServletResponse response) throws IOException {
        ManagementApi api = (ManagementApi) getServletContext().getAttribute(SampleContextListener.MANAGEMENT_API);
        if (api == null) {
            Json.problem(response, 503, "Service Unavailable", "the Management API credentials are not configured");
        }
        return api;
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
