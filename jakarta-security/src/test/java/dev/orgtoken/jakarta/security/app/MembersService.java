package dev.orgtoken.jakarta.security.app;

import jakarta.annotation.Resource;
import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;

/** An EJB whose methods the EJB container guards with {@code @RolesAllowed}. */
@Stateless
@DeclareRoles({"read:members", "admin"})
public class MembersService {
    @Resource
    SessionContext session;

    /**
     * @param organizationId the organization
     * @return the EJB's view of the caller
     */
    @RolesAllowed("read:members")
    public String members(String organizationId) {
        return "members of " + organizationId + " for " + session.getCallerPrincipal().getName();
    }

    /** @return the caller, for admins only (the roles claim) */
    @RolesAllowed("admin")
    public String adminView() {
        return "admin " + session.getCallerPrincipal().getName();
    }
}
