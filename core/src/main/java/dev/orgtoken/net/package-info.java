/**
 * Internal: the rules every URL the library uses must meet, and what counts as loopback. Public
 * only so the verifier ({@code dev.orgtoken}) and the token source ({@code dev.orgtoken.m2m})
 * apply the same rules; not part of the supported API.
 */
package dev.orgtoken.net;
