package dev.orgtoken.testkit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The issuer's signing keys, as Logto keeps them: a Current key that signs, an optional staged Next
 * key, and Previous keys that still verify; at most three are published.
 *
 * <p>Every change replaces one immutable {@link Snapshot} under a lock, so a reader (the JWKS
 * endpoint, the Management API's token check) always sees a key set and an ETag that belong together.
 */
final class KeyRing {

    private static final int MAX_PUBLISHED_KEYS = 3;

    private final KeyType defaultType;
    private final Object lock = new Object();
    private volatile Snapshot snapshot;

    KeyRing(SigningKey first, KeyType defaultType) {
        this.defaultType = defaultType;
        this.snapshot = new Snapshot(first, true, null, List.of());
    }

    Snapshot snapshot() {
        return snapshot;
    }

    SigningKey current() {
        return snapshot.current;
    }

    List<SigningKey> published() {
        return snapshot.published;
    }

    KeyType defaultType() {
        return defaultType;
    }

    SigningKey rotateNow(KeyType type) {
        SigningKey fresh = SigningKey.generate(type);
        synchronized (lock) {
            Snapshot s = snapshot;
            snapshot = new Snapshot(fresh, true, s.next, demote(s));
        }
        return fresh;
    }

    SigningKey stageNext(KeyType type) {
        SigningKey next = SigningKey.generate(type);
        synchronized (lock) {
            Snapshot s = snapshot;
            snapshot = new Snapshot(s.current, s.currentPublished, next, s.previous);
        }
        return next;
    }

    void promoteNext() {
        synchronized (lock) {
            Snapshot s = snapshot;
            if (s.next == null) {
                throw new IllegalStateException("no Next key is staged");
            }
            snapshot = new Snapshot(s.next, true, null, demote(s));
        }
    }

    void remove(String kid) {
        synchronized (lock) {
            Snapshot s = snapshot;
            if (s.currentPublished && s.current.kid().equals(kid)) {
                snapshot = new Snapshot(s.current, false, s.next, s.previous);
            } else if (s.next != null && s.next.kid().equals(kid)) {
                snapshot = new Snapshot(s.current, s.currentPublished, null, s.previous);
            } else {
                List<SigningKey> previous = new ArrayList<>(s.previous);
                if (!previous.removeIf(k -> k.kid().equals(kid))) {
                    throw new IllegalArgumentException("no published key has kid " + kid);
                }
                snapshot = new Snapshot(s.current, s.currentPublished, s.next, previous);
            }
        }
    }

    private static List<SigningKey> demote(Snapshot s) {
        List<SigningKey> previous = new ArrayList<>();
        if (s.currentPublished) {
            previous.add(s.current);
        }
        previous.addAll(s.previous);
        return previous;
    }

    /** An immutable state of the ring, with the JWKS body and its ETag computed once. */
    static final class Snapshot {
        final SigningKey current;
        final boolean currentPublished;
        final SigningKey next;
        final List<SigningKey> previous;
        final List<SigningKey> published;
        final byte[] jwks;
        final String etag;

        private Snapshot(SigningKey current, boolean currentPublished, SigningKey next, List<SigningKey> previous) {
            this.current = current;
            this.currentPublished = currentPublished;
            this.next = next;
            List<SigningKey> prev = new ArrayList<>(previous);
            int fixed = (currentPublished ? 1 : 0) + (next == null ? 0 : 1);
            while (fixed + prev.size() > MAX_PUBLISHED_KEYS) {
                prev.remove(prev.size() - 1);
            }
            this.previous = List.copyOf(prev);
            List<SigningKey> pub = new ArrayList<>();
            if (currentPublished) {
                pub.add(current);
            }
            if (next != null) {
                pub.add(next);
            }
            pub.addAll(this.previous);
            this.published = List.copyOf(pub);
            List<Object> jwkList = new ArrayList<>();
            pub.forEach(k -> jwkList.add(k.publicJwkMembers()));
            this.jwks = Json.write(Map.of("keys", jwkList)).getBytes(StandardCharsets.UTF_8);
            this.etag = Http.etag(jwks);
        }
    }
}
