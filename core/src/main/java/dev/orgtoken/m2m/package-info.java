/**
 * The client-credentials token source: a server's own access token for Logto's Management API
 * or another API, fetched and cached with {@link dev.orgtoken.m2m.ClientCredentialsTokenSource}.
 */
package dev.orgtoken.m2m;
