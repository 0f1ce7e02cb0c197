package dev.orgtoken.jwks;

import java.util.Set;

/**
 * What the {@link JwksCache} tells its owner. Callbacks run on the fetching thread and must be
 * quick and must not throw.
 */
public interface JwksListener {
    /** A fetch answered 200 with a usable set. */
    default void fetched() {}

    /** A fetch answered 304: the cached set is still current. */
    default void notModified() {}

    /** A fetch failed (network, timeout, status, malformed or oversized body). */
    default void fetchFailed() {}

    /**
     * Keys are no longer trusted: they left the set, or their kid now names different material.
     *
     * @param keyIds the kids no longer trusted
     */
    default void keysRemoved(Set<String> keyIds) {}

    /** Does nothing. */
    JwksListener NONE = new JwksListener() {};
}
