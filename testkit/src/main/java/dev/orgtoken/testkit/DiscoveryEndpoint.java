package dev.orgtoken.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;

/**
 * {@code GET /oidc/.well-known/openid-configuration}: Logto 1.37.1's discovery document (a copy of the
 * real one, in the testkit jar) with this issuer's URLs in place of the fixture's; or the current fault.
 */
final class DiscoveryEndpoint {

    /** The endpoint of the Logto server the bundled document came from. */
    private static final String FIXTURE_ENDPOINT = "http://127.0.0.1:3001";

    private final KeyRing keys;
    private final FaultInjector faults;
    private final Map<String, Object> template;
    private final AtomicInteger requests = new AtomicInteger();

    DiscoveryEndpoint(URI endpoint, KeyRing keys, FaultInjector faults) {
        this.keys = keys;
        this.faults = faults;
        this.template = withEndpoint(loadTemplate(), endpoint);
    }

    int requests() {
        return requests.get();
    }

    void resetCounters() {
        requests.set(0);
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
        Map<String, Object> doc = new LinkedHashMap<>(template);
        doc.put("id_token_signing_alg_values_supported", List.of(keys.current().algorithm()));
        Http.sendJson(ex, 200, doc);
    }

    private static Map<String, Object> loadTemplate() {
        try (InputStream in = DiscoveryEndpoint.class.getResourceAsStream("openid-configuration.json")) {
            if (in == null) {
                throw new IllegalStateException("openid-configuration.json is missing from the testkit jar");
            }
            Map<String, Object> doc = Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            if (doc == null) {
                throw new IllegalStateException("openid-configuration.json is not a JSON object");
            }
            return doc;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> withEndpoint(Map<String, Object> fixture, URI endpoint) {
        Map<String, Object> out = new LinkedHashMap<>();
        fixture.forEach((k, v) -> out.put(k, v instanceof String s && s.startsWith(FIXTURE_ENDPOINT)
                ? endpoint + s.substring(FIXTURE_ENDPOINT.length()) : v));
        return Collections.unmodifiableMap(out);
    }
}
