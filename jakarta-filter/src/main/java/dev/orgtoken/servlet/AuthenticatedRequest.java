package dev.orgtoken.servlet;

import dev.orgtoken.VerifiedToken;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;

/**
 * What the application sees after the filter let a token through: the principal is the token's
 * subject, each granted scope and each value of the configured roles claim is a role
 * ({@code isUserInRole}), and the auth type is {@code Bearer}.
 */
final class AuthenticatedRequest extends HttpServletRequestWrapper {
    private final TokenPrincipal principal;

    AuthenticatedRequest(HttpServletRequest request, VerifiedToken token) {
        super(request);
        this.principal = new TokenPrincipal(token);
        request.setAttribute(OrganizationTokenFilter.VERIFIED_TOKEN_ATTRIBUTE, token);
    }

    @Override
    public Principal getUserPrincipal() {
        return principal;
    }

    @Override
    public String getRemoteUser() {
        return principal.getName();
    }

    @Override
    public boolean isUserInRole(String role) {
        return role != null && (principal.token().hasScope(role) || principal.token().hasRole(role));
    }

    @Override
    public String getAuthType() {
        return "Bearer";
    }
}
