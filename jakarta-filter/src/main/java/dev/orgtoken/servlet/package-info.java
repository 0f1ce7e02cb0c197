/**
 * The Jakarta Servlet filter: {@link dev.orgtoken.servlet.OrganizationTokenFilter} applies the
 * path rules of {@code dev.orgtoken.rules}, answers refusals with RFC 6750 challenges and RFC 9457
 * problem bodies, and exposes the verified token as the request's principal
 * ({@link dev.orgtoken.servlet.TokenPrincipal}).
 */
package dev.orgtoken.servlet;
