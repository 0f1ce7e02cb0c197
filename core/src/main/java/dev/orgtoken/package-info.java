/**
 * The public API of orgtoken-core: build an {@link dev.orgtoken.OrganizationTokenVerifier}, call
 * {@link dev.orgtoken.OrganizationTokenVerifier#verify} with {@link dev.orgtoken.Requirements},
 * get a {@link dev.orgtoken.VerifiedToken} or a {@link dev.orgtoken.TokenRejectedException}.
 * This package never imports {@code jakarta.*}.
 */
package dev.orgtoken;
