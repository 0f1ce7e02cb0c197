package dev.orgtoken.testkit;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;

/**
 * {@code GET /oidc/jwks}: the key ring's published keys with {@code Cache-Control} (configurable), a
 * strong Koa-style {@code ETag}, and {@code 304} for a matching {@code If-None-Match}; or the current
 * fault.
 */
final class JwksEndpoint {

    /** The media type Logto 1.37.1 sends its key set with (RFC 7517 section 8.5.1). */
    static final String JWK_SET = "application/jwk-set+json; charset=utf-8";

    private final KeyRing keys;
    private final FaultInjector faults;
    private volatile String cacheControl;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger notModified = new AtomicInteger();

    JwksEndpoint(KeyRing keys, FaultInjector faults, String cacheControl) {
        this.keys = keys;
        this.faults = faults;
        this.cacheControl = cacheControl;
    }

    void cacheControl(String value) {
        this.cacheControl = value;
    }

    int requests() {
        return requests.get();
    }

    int notModified() {
        return notModified.get();
    }

    void resetCounters() {
        requests.set(0);
        notModified.set(0);
    }

    void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        if (!Http.isGetOrHead(ex)) {
            Http.methodNotAllowed(ex);
            return;
        }
        if (!faults.apply(ex)) {
            return;
        }
        KeyRing.Snapshot s = keys.snapshot();
        String cc = cacheControl;
        if (cc != null) {
            ex.getResponseHeaders().set("Cache-Control", cc);
        }
        ex.getResponseHeaders().set("ETag", s.etag);
        if (Http.fresh(ex.getRequestHeaders(), s.etag)) {
            notModified.incrementAndGet();
            Http.sendEmpty(ex, 304);
            return;
        }
        Http.send(ex, 200, JWK_SET, s.jwks);
    }
}
