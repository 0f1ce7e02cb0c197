package dev.orgtoken.testkit;

import static dev.orgtoken.testkit.TestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.jose4j.jwk.JsonWebKeySet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LifecycleTest {

    @Test
    void bindsAGivenPortOnLoopbackAndRefusesATakenOne() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (LogtoTestIssuer issuer = LogtoTestIssuer.builder().port(port).build()) {
            assertEquals("http://127.0.0.1:" + port, issuer.endpoint().toString());
            assertEquals(200, get(issuer.jwksUri()).statusCode());
            assertThrows(UncheckedIOException.class, () -> LogtoTestIssuer.builder().port(port).build());
        }
        assertThrows(IllegalArgumentException.class, () -> LogtoTestIssuer.builder().port(70000));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentRequestsDuringRotationAlwaysSeeAConsistentKeySet() throws Exception {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<HttpResponse<String>>> responses = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    responses.add(pool.submit(() -> get(issuer.jwksUri())));
                    if (i % 10 == 0) {
                        issuer.rotateNow(KeyType.EC_P256);
                    }
                }
                for (Future<HttpResponse<String>> f : responses) {
                    HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
                    assertEquals(200, r.statusCode());
                    int keys = new JsonWebKeySet(r.body()).getJsonWebKeys().size();
                    assertTrue(keys >= 1 && keys <= 3, "keys: " + keys);
                    // the ETag always belongs to the body it came with
                    assertEquals(Http.etag(r.body().getBytes(StandardCharsets.UTF_8)),
                            r.headers().firstValue("ETag").orElseThrow());
                }
                assertEquals(40, issuer.jwksRequests());
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
