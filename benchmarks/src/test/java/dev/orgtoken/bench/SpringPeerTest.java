package dev.orgtoken.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.orgtoken.bench.http.HttpBenchServer;
import dev.orgtoken.bench.http.SpringPeer;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/** The peer accepts exactly the tokens we accept, and the benchmark server answers alike on every context. */
class SpringPeerTest {

    @Test
    void springDecoderAcceptsTheBenchmarkTokensAndRefusesWhatLogtosGuideRefuses() {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
            NimbusJwtDecoder decoder = SpringPeer.decoder(issuer.jwksUri().toString(), issuer.issuer(), Tokens.API);
            Tokens minter = new Tokens(issuer, Accp.forMinting(), 3);
            assertEquals(Tokens.ORGANIZATION, decoder.decode(minter.next()).getClaimAsString("organization_id"));
            assertThrows(JwtException.class, () -> decoder.decode(minter.sign(minter.logtoToken().audience("https://other"))));
            assertThrows(JwtException.class, () -> decoder.decode(minter.sign(minter.logtoToken().type("JWT"))));
            assertThrows(JwtException.class, () -> decoder.decode(minter.sign(minter.logtoToken()
                    .expiresAt(java.time.Instant.now().minusSeconds(3600)))));
        }
    }

    @Test
    void everyContextAnswersTheSameRequestTheSameWay(@TempDir Path dir) throws Exception {
        try (HttpBenchServer.Running server = HttpBenchServer.start(0, dir, 20)) {
            String warm = Files.readString(dir.resolve("warm.token")).trim();
            List<String> cold = Files.readAllLines(dir.resolve("cold.tokens"));
            assertEquals(20, cold.size());
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            for (String context : List.of("/ours", "/ours-native", "/spring")) {
                String members = base + context + "/api/organizations/" + Tokens.ORGANIZATION + "/members";
                assertEquals(200, get(http, members, warm), context);
                assertEquals(200, get(http, members, cold.get(0)), context);
                assertEquals(401, get(http, members, null), context);
                assertEquals(403, get(http, base + context + "/api/organizations/other0000000/members", warm), context);
            }
            assertEquals(200, get(http, base + "/open/api/organizations/" + Tokens.ORGANIZATION + "/members", warm));
            // The raw floor checks the signature and nothing else, so its work per request is the same.
            for (String context : List.of("/raw", "/raw-native")) {
                String raw = base + context + "/api/organizations/" + Tokens.ORGANIZATION + "/members";
                assertEquals(200, get(http, raw, cold.get(1)), context);
                assertEquals(401, get(http, raw, Files.readString(dir.resolve("forged.token")).trim()), context);
                assertEquals(401, get(http, raw, null), context);
            }
            assertEquals(2, server.ours().tokenCacheMissCount(), "the warm token and one cold token");
            assertEquals(1, server.ours().tokenCacheHitCount(), "the warm token again (then 403: other organization)");
            assertEquals(3, server.issuer().jwksRequests(), "one fetch per verifier (ours, ours-native, Spring)");
        }
    }

    private static int get(HttpClient http, String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
