package dev.orgtoken.jwks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP exchange with the JWKS endpoint: a conditional GET ({@code If-None-Match}), a capped
 * body, an answer only from the configured origin, the freshness from {@code Cache-Control}, and
 * the body parsed into a {@link KeySet}. What to do with the answer (replace, keep, retry) is
 * {@link JwksCache}'s business.
 */
final class JwksClient implements AutoCloseable {
    private static final Pattern MAX_AGE = Pattern.compile("(?:^|,)\\s*max-age\\s*=\\s*\"?(\\d{1,10})\"?\\s*(?:,|$)");

    private final JwksSettings settings;
    private final JwksListener listener;
    private final KeySetParser parser;
    private final HttpClient client;
    /** The executor of the client we built; null when the caller supplied the client. */
    private final ExecutorService ownExecutor;

    JwksClient(JwksSettings settings, JwksListener listener, String threadName) {
        this.settings = settings;
        this.listener = listener;
        this.parser = new KeySetParser(settings.allowedAlgorithms());
        if (settings.httpClient() != null) {
            this.ownExecutor = null;
            this.client = settings.httpClient();
        } else {
            this.ownExecutor = Executors.newCachedThreadPool(JwksCache.daemon(threadName));
            this.client = HttpClient.newBuilder()
                    .connectTimeout(settings.connectTimeout())
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .executor(ownExecutor)
                    .build();
        }
    }

    /**
     * Fetches the key set. Completes with the new set (on 304, the previous keys with a new
     * freshness), or exceptionally when there is no usable answer.
     *
     * @param previous the set in use, for {@code If-None-Match}; null when none
     */
    CompletableFuture<KeySet> fetch(KeySet previous) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(settings.jwksUri())
                    .timeout(settings.requestTimeout())
                    .header("Accept", "application/json")
                    .GET();
            if (previous != null && previous.etag() != null) {
                request.header("If-None-Match", previous.etag());   // a server's odd ETag must not throw out of here
            }
            return client.sendAsync(request.build(), info -> new LimitedBodySubscriber(settings.maxResponseBytes()))
                    .orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .thenApply(response -> interpret(response, previous));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private KeySet interpret(HttpResponse<byte[]> response, KeySet previous) {
        if (!sameOrigin(response.uri(), settings.jwksUri())) {
            throw new IllegalStateException("redirected to another host");
        }
        Instant now = settings.clock().instant();
        Duration ttl = ttl(response);
        int status = response.statusCode();
        if (status == 304 && previous != null) {
            listener.notModified();
            return new KeySet(previous.keys(), previous.etag(), now.plus(ttl), now.plus(ttl).plus(settings.staleFor()));
        }
        if (status != 200) {
            throw new IllegalStateException("HTTP status " + status);
        }
        Map<String, VerificationKey> keys = parser.parse(new String(response.body(), StandardCharsets.UTF_8));
        listener.fetched();
        String etag = response.headers().firstValue("ETag").orElse(null);
        if (previous != null && sameKeys(previous.keys(), keys)) {
            keys = previous.keys();   // same identity: nothing to untrust
        }
        return new KeySet(keys, etag, now.plus(ttl), now.plus(ttl).plus(settings.staleFor()));
    }

    private static boolean sameKeys(Map<String, VerificationKey> a, Map<String, VerificationKey> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, VerificationKey> e : a.entrySet()) {
            if (!e.getValue().sameKeyAs(b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The server's {@code max-age} when inside [1 min, 24 h]; Logto's {@code max-age=0} is not. */
    private Duration ttl(HttpResponse<?> response) {
        Optional<String> cacheControl = response.headers().firstValue("Cache-Control");
        if (cacheControl.isPresent()) {
            Matcher m = MAX_AGE.matcher(cacheControl.get().toLowerCase(Locale.ROOT));
            if (m.find()) {
                Duration maxAge = Duration.ofSeconds(Long.parseLong(m.group(1)));
                if (maxAge.compareTo(JwksSettings.MIN_MAX_AGE) >= 0 && maxAge.compareTo(JwksSettings.MAX_MAX_AGE) <= 0) {
                    return maxAge;
                }
            }
        }
        return settings.ttl();
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a != null
                && Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
                && Objects.equals(lower(a.getHost()), lower(b.getHost()))
                && port(a) == port(b);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static int port(URI u) {
        if (u.getPort() != -1) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** A short, safe description of why a fetch failed, for the log. */
    static String describe(Throwable t) {
        if (t instanceof TimeoutException || t instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        if (t instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (t instanceof IOException || t instanceof IllegalStateException || t instanceof IllegalArgumentException) {
            return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        }
        return t.getClass().getSimpleName();
    }

    @Override
    public void close() {
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
    }
}
