package dev.orgtoken;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The one place a verified, unexpired token is held against a call's {@link Requirements}. Every
 * refusal here is of an authentic token, so it carries the token for audit logs
 * ({@link TokenRejectedException#refusedToken()}); its description is fixed text.
 *
 * <p>Order: what a token from another tenant or for another audience fails first (401: the client
 * needs another token), then what a valid token is not allowed to do here (403).
 */
final class RequirementChecks {
    static final String WRONG_TENANT = "token issuer is not accepted here";
    static final String WRONG_AUDIENCE = "token is not for this audience";
    static final String USER_REQUIRED = "a machine-to-machine token is not accepted here";
    static final String M2M_REQUIRED = "a user token is not accepted here";
    static final String CLIENT_NOT_ALLOWED = "token was issued to a client that is not allowed here";
    static final String ACTOR_NOT_ALLOWED = "token acts for another subject (act); impersonation is not allowed here";
    static final String ACTOR_REQUIRED = "token has no actor (act); only delegated tokens are accepted here";
    static final String MISSING_ORGANIZATION = "token is not for an organization";
    static final String WRONG_ORGANIZATION = "token is for another organization";
    static final String MISSING_SCOPES = "token lacks required scopes";
    static final String MISSING_ROLES = "token lacks required roles";

    private RequirementChecks() {}

    static void check(VerifiedToken t, Requirements r) throws TokenRejectedException {
        if (!r.tenants().isEmpty() && !r.tenants().contains(t.tenant())) {
            throw refused(t, RejectionReason.WRONG_TENANT, WRONG_TENANT, Set.of());
        }
        if (!t.audiences().contains(r.audience())) {
            throw refused(t, RejectionReason.WRONG_AUDIENCE, WRONG_AUDIENCE, Set.of());
        }
        switch (r.subject()) {
            case ANY -> { }
            case USER -> {
                if (t.isMachineToMachine()) {
                    throw refused(t, RejectionReason.WRONG_SUBJECT_KIND, USER_REQUIRED, Set.of());
                }
            }
            case M2M -> {
                if (!t.isMachineToMachine()) {
                    throw refused(t, RejectionReason.WRONG_SUBJECT_KIND, M2M_REQUIRED, Set.of());
                }
            }
        }
        if (!r.clients().isEmpty() && (t.clientId().isEmpty() || !r.clients().contains(t.clientId().get()))) {
            throw refused(t, RejectionReason.CLIENT_NOT_ALLOWED, CLIENT_NOT_ALLOWED, Set.of());
        }
        switch (r.actor()) {
            case ALLOW -> { }
            // Any act claim, well-formed or not: a token that says someone else acts is refused, fail closed.
            case DENY -> {
                if (t.claims().containsKey("act")) {
                    throw refused(t, RejectionReason.ACTOR_NOT_ALLOWED, ACTOR_NOT_ALLOWED, Set.of());
                }
            }
            case REQUIRE -> {
                if (t.actor().isEmpty()) {
                    throw refused(t, RejectionReason.ACTOR_REQUIRED, ACTOR_REQUIRED, Set.of());
                }
            }
        }
        switch (r.organizationConstraint()) {
            case NONE -> { }
            case ANY -> {
                if (t.organizationId().isEmpty()) {
                    throw refused(t, RejectionReason.MISSING_ORGANIZATION, MISSING_ORGANIZATION, r.scopes());
                }
            }
            case EXACT -> {
                if (t.organizationId().isEmpty()) {
                    throw refused(t, RejectionReason.MISSING_ORGANIZATION, MISSING_ORGANIZATION, r.scopes());
                }
                if (!t.organizationId().get().equals(r.requiredOrganization().orElseThrow())) {
                    throw refused(t, RejectionReason.WRONG_ORGANIZATION, WRONG_ORGANIZATION, r.scopes());
                }
            }
        }
        if (!t.scopes().containsAll(r.scopes())) {
            Set<String> missing = new LinkedHashSet<>(r.scopes());
            missing.removeAll(t.scopes());
            throw new TokenRejectedException(RejectionReason.MISSING_SCOPES, MISSING_SCOPES, r.scopes(), missing, t);
        }
        if (!t.roles().containsAll(r.roles())) {
            // Roles are not OAuth scopes: no scope attribute, and the names stay out of the answer.
            throw refused(t, RejectionReason.MISSING_ROLES, MISSING_ROLES, Set.of());
        }
    }

    private static TokenRejectedException refused(VerifiedToken t, RejectionReason reason, String description,
            Set<String> requiredScopes) {
        return new TokenRejectedException(reason, description, requiredScopes, Set.of(), t);
    }
}
