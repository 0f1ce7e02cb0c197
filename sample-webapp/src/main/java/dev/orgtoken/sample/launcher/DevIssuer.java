package dev.orgtoken.sample.launcher;

import dev.orgtoken.testkit.ClientRegistration;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * Dev mode: with no {@code LOGTO_ENDPOINT}, the sample trusts a local Logto-compatible issuer (the
 * testkit) on loopback, which also plays the Management API's organization endpoints (create,
 * members, delete). It prints ready-to-paste curl commands with fresh tokens.
 */
final class DevIssuer implements AutoCloseable {
    static final String ORGANIZATION_API = "https://api.example.com/org";
    static final String GLOBAL_API = "https://api.example.com";
    static final String ORGANIZATION = "o1";
    /** The client id of the admin console, the only client the console rule accepts. */
    static final String CONSOLE_CLIENT = "admin-console";
    /** The origin of a browser app in development (Vite's dev server), allowed by the sample's CORS filter. */
    static final String SPA_ORIGIN = "http://localhost:5173";

    private final LogtoTestIssuer issuer;
    private final ClientRegistration serverApp;

    DevIssuer() {
        this.issuer = LogtoTestIssuer.builder().accessTokenTtl(Duration.ofHours(1)).build();
        // The sample server's own M2M app: allowed to call the Management API with scope "all".
        this.serverApp = issuer.registerClient("sample-server", "dev-only-secret")
                .grant(issuer.managementApiResource(), "all");
        // Organization o1 in the issuer's Management API, with the members the walkthrough's tokens
        // name: GET /api/organizations/o1/members reads them from there, as from a real tenant.
        issuer.createOrganizationWithId(ORGANIZATION, "Organization one");
        issuer.addOrganizationUser(ORGANIZATION, "user-admin", "admin", "member");
        issuer.addOrganizationUser(ORGANIZATION, "user-member", "member");
    }

    /** Points the app at the issuer through the same settings a real deployment uses. */
    void exportSettings() {
        System.setProperty("LOGTO_ENDPOINT", issuer.endpoint().toString());
        System.setProperty("LOGTO_M2M_APP_ID", serverApp.clientId());
        System.setProperty("LOGTO_M2M_APP_SECRET", serverApp.clientSecret());
        System.setProperty("LOGTO_MANAGEMENT_API_RESOURCE", issuer.managementApiResource());
    }

    void printWalkthrough(PrintStream out, String base) {
        String member = issuer.organizationResourceToken("user-member", ORGANIZATION_API, ORGANIZATION, "read:members").sign();
        String admin = issuer.organizationResourceToken("user-admin", ORGANIZATION_API, ORGANIZATION, "read:members",
                "invite:member").sign();
        String creator = issuer.globalApiToken("user-creator", GLOBAL_API, "org:create").sign();
        String m2m = issuer.m2mToken("m2m-client", ORGANIZATION_API, "read:members").sign();
        String everywhere = issuer.globalApiToken("user-member", ORGANIZATION_API, "read:members").sign();
        // Token exchange (impersonation): the tokens speak for user-creator, and agent-7 is acting.
        String impersonation = issuer.globalApiToken("user-creator", ORGANIZATION_API).actor("agent-7").sign();
        String impersonatedCreator = issuer.globalApiToken("user-creator", GLOBAL_API, "org:create")
                .actor("agent-7").sign();
        // A tenant's custom JWT claims script writes roles into the access token, as Logto mints it:
        // {"roles": ["billing-admin"]}. The rules file reads them with roles-claim: roles.
        String billingAdmin = issuer.organizationResourceToken("user-admin", ORGANIZATION_API, ORGANIZATION)
                .claim("roles", List.of("billing-admin")).sign();
        String ownSecurity = issuer.globalApiToken("user-creator", ORGANIZATION_API).sign();
        String console = issuer.globalApiToken("user-admin", ORGANIZATION_API).clientId(CONSOLE_CLIENT).sign();
        out.println();
        out.println("orgtoken sample, DEV MODE: LOGTO_ENDPOINT is not set, so a local Logto-compatible issuer runs at "
                + issuer.endpoint() + " (tokens below are valid for 1 hour).");
        out.println("Set LOGTO_ENDPOINT (and LOGTO_M2M_APP_ID, LOGTO_M2M_APP_SECRET) to use a real Logto tenant.");
        out.println();
        step(out, "Public health check (expect 200):", "curl -i " + base + "/health");
        step(out, "No token (expect 401 with WWW-Authenticate: Bearer):", "curl -i " + base + "/api/me");
        step(out, "MEMBER of organization o1 with read:members, its own organization; the server reads the members"
                + " from the Management API (expect 200):",
                curl(member, "GET", base + "/api/organizations/o1/members"));
        step(out, "MEMBER, another organization (expect 403 insufficient_scope):",
                curl(member, "GET", base + "/api/organizations/o2/members"));
        step(out, "MEMBER without invite:member (expect 403):",
                curl(member, "POST", base + "/api/organizations/o1/invitations"));
        step(out, "ADMIN of o1 with invite:member (expect 201):",
                curl(admin, "POST", base + "/api/organizations/o1/invitations"));
        step(out, "A token without organization_id (scopes from all organizations) on an org endpoint (expect 403):",
                curl(everywhere, "GET", base + "/api/organizations/o1/members"));
        step(out, "CREATOR with the global org:create scope: the server creates the organization through the "
                + "Management API with its own M2M credentials (expect 201):",
                curl(creator, "POST", base + "/api/organizations") + " -H 'Content-Type: application/json' -d '{\"name\":\"Acme\"}'");
        step(out, "M2M client (sub == client_id) (expect 200, kind m2m):", curl(m2m, "GET", base + "/api/me"));
        step(out, "IMPERSONATION: a token-exchange token for user-creator with actor agent-7 (expect 200, actor"
                + " agent-7):", curl(impersonation, "GET", base + "/api/me"));
        step(out, "IMPERSONATION, creating an organization: it is created for user-creator, and the answer and the"
                + " server's log name the actor (expect 201, actor agent-7):",
                curl(impersonatedCreator, "POST", base + "/api/organizations")
                        + " -H 'Content-Type: application/json' -d '{\"name\":\"Acting\"}'");
        step(out, "ROLES: admin of o1 whose token carries the custom claim roles [billing-admin] (expect 200):",
                curl(billingAdmin, "GET", base + "/api/organizations/o1/billing"));
        step(out, "ROLES: the MEMBER's token has no billing-admin role (expect 403, token lacks required roles):",
                curl(member, "GET", base + "/api/organizations/o1/billing"));
        step(out, "ACTOR DENY: user-creator changes their own security settings (expect 200):",
                curl(ownSecurity, "PUT", base + "/api/me/security"));
        step(out, "ACTOR DENY: the same by agent-7 impersonating user-creator (expect 403, impersonation is not"
                + " allowed here):", curl(impersonation, "PUT", base + "/api/me/security"));
        step(out, "CLIENTS: a token of the admin console app (client_id " + CONSOLE_CLIENT + ") (expect 200):",
                curl(console, "GET", base + "/api/console/overview"));
        step(out, "CLIENTS: the same user's token from another app (expect 403, client that is not allowed here):",
                curl(admin, "GET", base + "/api/console/overview"));
        step(out, "CORS PREFLIGHT: what a browser app at " + SPA_ORIGIN + " sends before a call with a bearer token;"
                + " no token (expect 200 with Access-Control-Allow-Origin):",
                "curl -i -X OPTIONS " + base + "/api/me -H 'Origin: " + SPA_ORIGIN + "'"
                        + " -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: authorization'");
        out.flush();
    }

    private static String curl(String token, String method, String url) {
        return "curl -i" + (method.equals("GET") ? "" : " -X " + method) + " -H 'Authorization: Bearer " + token + "' " + url;
    }

    private static void step(PrintStream out, String title, String command) {
        out.println("# " + title);
        out.println(command);
        out.println();
    }

    @Override
    public void close() {
        issuer.close();
    }
}
