package dev.orgtoken.jakarta.security.app;

import dev.orgtoken.servlet.TokenPrincipal;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.SecurityContext;
import java.util.Set;

/** A CDI bean that asks Jakarta Security's {@code SecurityContext} about the caller. */
@RequestScoped
public class CallerView {
    @Inject
    SecurityContext security;

    /**
     * @param role a role
     * @return whether the caller is in it
     */
    public boolean isCallerInRole(String role) {
        return security.isCallerInRole(role);
    }

    /** @return the caller's name */
    public String callerName() {
        return security.getCallerPrincipal() == null ? null : security.getCallerPrincipal().getName();
    }

    /** @return the organization of the caller's token, found through the custom principal */
    public String organization() {
        Set<TokenPrincipal> principals = security.getPrincipalsByType(TokenPrincipal.class);
        return principals.stream().findFirst().flatMap(p -> p.token().organizationId()).orElse("none");
    }
}
