package dev.orgtoken.jakarta.security.app;

import jakarta.ejb.EJBAccessException;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

/** A Jakarta REST resource: its {@code SecurityContext}, a CDI bean's and an EJB's view of one caller. */
@Path("/")
public class MembersResource {
    @Inject
    MembersService service;
    @Inject
    CallerView caller;
    @Context
    SecurityContext rest;

    /**
     * @param organizationId from the path
     * @return what each layer sees
     */
    @GET
    @Path("organizations/{organizationId}/members")
    @Produces(MediaType.APPLICATION_JSON)
    public String members(@PathParam("organizationId") String organizationId) {
        return "{\"restPrincipal\":\"" + rest.getUserPrincipal().getName() + "\""
                + ",\"restInRole\":" + rest.isUserInRole("read:members")
                + ",\"authScheme\":\"" + rest.getAuthenticationScheme() + "\""
                + ",\"cdiCaller\":\"" + caller.callerName() + "\""
                + ",\"cdiInRole\":" + caller.isCallerInRole("read:members")
                + ",\"organization\":\"" + caller.organization() + "\""
                + ",\"ejb\":\"" + service.members(organizationId) + "\"}";
    }

    /** @return 200 for admins (roles claim), 403 when the EJB container refuses the caller */
    @GET
    @Path("admin")
    @Produces(MediaType.TEXT_PLAIN)
    public Response admin() {
        try {
            return Response.ok(service.adminView()).build();
        } catch (EJBAccessException e) {
            return Response.status(403).entity("refused by the EJB container").build();
        }
    }
}
