/**
 * Internal: compact-JWS parsing and signature checking under the algorithm allow-list. Public
 * only so the verifier in {@code dev.orgtoken} can use it; not part of the supported API, except
 * {@link dev.orgtoken.jws.JwsAlgorithm}, which the verifier's builder takes.
 */
package dev.orgtoken.jws;
