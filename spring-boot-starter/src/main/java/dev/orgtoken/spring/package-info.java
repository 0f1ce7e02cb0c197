/**
 * Spring Boot auto-configuration for orgtoken:
 * {@link dev.orgtoken.spring.OrganizationTokenAutoConfiguration} registers the filter from
 * {@code orgtoken.rules-file}, exposes the verifier as a bean, resolves
 * {@link dev.orgtoken.VerifiedToken} controller arguments and binds Micrometer meters.
 */
package dev.orgtoken.spring;
