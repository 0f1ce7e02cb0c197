/**
 * Micrometer meters for orgtoken: {@link dev.orgtoken.micrometer.OrganizationTokenMeters}
 * implements the verifier's and the filter's metrics interfaces. Micrometer is an optional
 * dependency of this module: the application brings its own.
 */
package dev.orgtoken.micrometer;
