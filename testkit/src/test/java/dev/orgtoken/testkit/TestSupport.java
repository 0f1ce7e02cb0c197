package dev.orgtoken.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import org.jose4j.json.JsonUtil;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.lang.JoseException;

/** HTTP and JSON helpers for the tests: a real {@link HttpClient}, fixtures and jose4j verification. */
final class TestSupport {

    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private TestSupport() {
    }

    static HttpResponse<String> get(URI uri, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** POSTs a form to the token endpoint; pairs are name, value, name, value... */
    static HttpResponse<String> postForm(URI uri, String basicAuth, String... pairs) {
        StringJoiner form = new StringJoiner("&");
        for (int i = 0; i < pairs.length; i += 2) {
            form.add(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString()));
        if (basicAuth != null) {
            b.header("Authorization", basicAuth);
        }
        return send(b.build());
    }

    static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (URLEncoder.encode(id, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> postJson(URI uri, String bearer, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return send(b.build());
    }

    static HttpResponse<String> getWithBearer(URI uri, String bearer) {
        return get(uri, "Authorization", "Bearer " + bearer);
    }

    static Map<String, Object> json(String text) {
        try {
            return JsonUtil.parseJson(text);
        } catch (JoseException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** Any JSON value (an array, say). */
    static Object jsonValue(String text) {
        try {
            return JsonUtil.parseJson("{\"v\":" + text + "}").get("v");
        } catch (JoseException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static String resource(String path) {
        return fixtureFile("logto-1.37.1/" + path);
    }

    /** A file of the second real set, {@code fixtures/logto-1.37.1-live/}. */
    static String liveResource(String path) {
        return fixtureFile("logto-1.37.1-live/" + path);
    }

    private static String fixtureFile(String path) {
        try (InputStream in = TestSupport.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new AssertionError("missing fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> fixture(String path) {
        return json(resource(path));
    }

    /** Fetches the JWKS over HTTP and parses it with jose4j. */
    static List<JsonWebKey> fetchJwks(LogtoTestIssuer issuer) {
        HttpResponse<String> r = get(issuer.jwksUri());
        if (r.statusCode() != 200) {
            throw new AssertionError("JWKS answered " + r.statusCode());
        }
        try {
            return new JsonWebKeySet(r.body()).getJsonWebKeys();
        } catch (JoseException e) {
            throw new AssertionError(e);
        }
    }

    /** A jose4j consumer that checks the signature against the published JWKS (fetched over HTTP now). */
    static JwtConsumer consumer(LogtoTestIssuer issuer, String audience, String algorithm) {
        return new JwtConsumerBuilder()
                .setVerificationKeyResolver(new JwksVerificationKeyResolver(fetchJwks(issuer)))
                .setJwsAlgorithmConstraints(org.jose4j.jwa.AlgorithmConstraints.ConstraintType.PERMIT, algorithm)
                .setExpectedIssuer(issuer.issuer())
                .setExpectedAudience(audience)
                .setExpectedType(true, "at+jwt")
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireJwtId()
                .setRequireSubject()
                .setEvaluationTime(NumericDate.fromSeconds(issuer.clock().instant().getEpochSecond()))
                .build();
    }

    static JwtClaims verify(LogtoTestIssuer issuer, String jwt, String audience, String algorithm) {
        try {
            return consumer(issuer, audience, algorithm).processToClaims(jwt);
        } catch (org.jose4j.jwt.consumer.InvalidJwtException e) {
            throw new AssertionError("token did not verify: " + e.getMessage(), e);
        }
    }

    static Map<String, Object> header(String jwt) {
        return json(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8));
    }

    static Map<String, Object> payload(String jwt) {
        return json(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }
}
