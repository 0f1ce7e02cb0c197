package dev.orgtoken.m2m;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@code java.net.http} requests with a {@link ClientCredentialsTokenSource}'s token, and
 * retries <em>once</em> with a fresh token when the server answers 401 to it.
 *
 * <pre>{@code
 * BearerRequestSender management = new BearerRequestSender(HttpClient.newHttpClient(), tokens);
 * HttpResponse<String> created = management.send(HttpRequest.newBuilder(URI.create(endpoint + "/api/organizations"))
 *         .header("Content-Type", "application/json")
 *         .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Acme\"}"))
 *         .build(), HttpResponse.BodyHandlers.ofString());
 * }</pre>
 *
 * <p>Why: a cached token can stop working before it expires. Logto withdraws the key that signed it
 * (a key rotation followed by deleting the old key), and its Management API then answers
 * {@code 401 auth.unauthorized} to every call with it. Without a retry, the first call after the
 * rotation fails although a new token would work. The refused token is dropped with
 * {@link ClientCredentialsTokenSource#invalidate(AccessToken)}, which keeps a token another thread
 * already refreshed, so callers refused together cause one token request.
 *
 * <p>Only a 401 is retried, and only once: a second 401 (wrong audience, an app without the
 * right, a server that refuses every token) is returned as it is, so a caller never loops. Other
 * statuses are returned unchanged. The request is sent twice on a retry, so its body publisher
 * must be repeatable ({@code ofString}, {@code ofByteArray}, {@code ofFile} are); the
 * {@link HttpRequest} is not changed. Thread-safe. Tokens are never logged.
 */
public final class BearerRequestSender {
    private static final Logger LOG = LoggerFactory.getLogger(BearerRequestSender.class);

    private final HttpClient client;
    private final ClientCredentialsTokenSource tokens;

    /**
     * @param client the client that sends the requests
     * @param tokens the source of the bearer tokens
     */
    public BearerRequestSender(HttpClient client, ClientCredentialsTokenSource tokens) {
        this.client = Objects.requireNonNull(client, "client");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    /**
     * Sends the request with {@code Authorization: Bearer <token>} (replacing any
     * {@code Authorization} header it has). On a 401, drops that token and sends once more with a
     * fresh one; the second answer is returned whatever it is.
     *
     * @param request the request, without credentials
     * @param handler how to read the body
     * @param <T> the body type
     * @return the response (of the retry, when there was one)
     * @throws TokenRequestException when no token can be obtained
     * @throws IOException when the request cannot be sent
     * @throws InterruptedException when interrupted while waiting
     */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws TokenRequestException, IOException, InterruptedException {
        AccessToken token = tokens.token();
        HttpResponse<T> response = client.send(authorized(request, token), handler);
        if (response.statusCode() != 401) {
            return response;
        }
        tokens.invalidate(token);
        LOG.info("{} {} answered 401 to a machine-to-machine token; retrying once with a fresh token",
                request.method(), withoutQuery(request.uri()));
        return client.send(authorized(request, tokens.token()), handler);
    }

    /**
     * The request with its {@code Authorization} header replaced by the token's: the decorator
     * {@link #send} applies, for callers who send requests themselves.
     *
     * @param request a request
     * @param token the bearer token
     * @return a copy of the request with {@code Authorization: Bearer <token>}
     */
    public static HttpRequest authorized(HttpRequest request, AccessToken token) {
        return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("Authorization"))
                .header("Authorization", token.authorizationHeader())
                .build();
    }

    /** The address without user information, query or fragment, which can carry secrets, for the log. */
    private static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    @Override
    public String toString() {
        return "BearerRequestSender[" + tokens + "]";
    }
}
