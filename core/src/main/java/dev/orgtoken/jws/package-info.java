/**
 * Internal: compact-JWS parsing and signature checking under the algorithm allow-list. Public
 * only so the verifier in {@code dev.orgtoken} can use it; the module descriptor does not export
 * it, and it is not part of the supported API.
 */
package dev.orgtoken.jws;
