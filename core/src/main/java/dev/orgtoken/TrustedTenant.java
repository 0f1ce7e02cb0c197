package dev.orgtoken;

import dev.orgtoken.jwks.JwksCache;
import java.time.Duration;
import java.util.Set;

/**
 * One tenant as a built verifier holds it: its exact issuers, its own key cache (with its own
 * refresh thread and cooldown) and where its tokens carry roles.
 *
 * @param name the tenant's name
 * @param issuers its exact issuers; no other tenant has any of them
 * @param jwks its key cache, asked only for tokens whose {@code iss} is one of {@code issuers}
 * @param rolesClaim where its tokens carry roles, or null for none
 * @param refreshCooldown its JWKS refresh cooldown
 */
record TrustedTenant(String name, Set<String> issuers, JwksCache jwks, RolesClaim rolesClaim, Duration refreshCooldown) {}
