/**
 * Jakarta Security integration:
 * {@link dev.orgtoken.jakarta.security.OrganizationTokenAuthenticationMechanism} establishes the
 * container's caller (principal and groups) from a Logto token and the orgtoken rules file, so
 * {@code @RolesAllowed} and {@code SecurityContext} work on EJB, CDI and Jakarta REST.
 */
package dev.orgtoken.jakarta.security;
