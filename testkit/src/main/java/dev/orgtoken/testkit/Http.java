package dev.orgtoken.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

/** HTTP plumbing shared by the issuer's handlers: responses, ETags, conditional GET and forms. */
final class Http {

    static final String JSON = "application/json; charset=utf-8";
    static final int MAX_BODY = 64 * 1024;

    private static final Pattern NO_CACHE = Pattern.compile("(?:^|,)\\s*?no-cache\\s*?(?:,|$)");

    private Http() {
    }

    /** Sends a response; no body for HEAD, 204, 304 or an empty body. */
    static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        boolean noBody = body == null || body.length == 0 || status == 204 || status == 304
                || "HEAD".equalsIgnoreCase(ex.getRequestMethod());
        if (noBody) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Sends a JSON response. */
    static void sendJson(HttpExchange ex, int status, Object json) throws IOException {
        send(ex, status, JSON, Json.write(json).getBytes(StandardCharsets.UTF_8));
    }

    /** Sends an empty response. */
    static void sendEmpty(HttpExchange ex, int status) throws IOException {
        ex.sendResponseHeaders(status, -1);
    }

    /** Sends {@code 404 Not Found} as plain text, as Koa does for a route nobody serves. */
    static void notFound(HttpExchange ex) throws IOException {
        send(ex, 404, "text/plain; charset=utf-8", "Not Found".getBytes(StandardCharsets.UTF_8));
    }

    static boolean isGetOrHead(HttpExchange ex) {
        String m = ex.getRequestMethod();
        return "GET".equals(m) || "HEAD".equals(m);
    }

    /** Sends {@code 405} with {@code Allow: GET, HEAD}, for the read-only OIDC endpoints. */
    static void methodNotAllowed(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        send(ex, 405, "text/plain; charset=utf-8", "Method Not Allowed".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A strong ETag computed like the {@code etag} npm package that Koa (and so Logto) uses:
     * {@code "<length in hex>-<first 27 characters of base64(SHA-1(body))>"}.
     */
    static String etag(byte[] body) {
        if (body.length == 0) {
            return "\"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk\"";
        }
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(body);
            String hash = Base64.getEncoder().encodeToString(sha1).substring(0, 27);
            return "\"" + Integer.toHexString(body.length) + "-" + hash + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether a conditional request is fresh against this ETag, as Koa's {@code fresh} decides it:
     * {@code If-None-Match} lists the tag (weak comparison) or is {@code *}, and the request does not
     * say {@code Cache-Control: no-cache}.
     */
    static boolean fresh(Headers request, String etag) {
        List<String> values = request.get("If-None-Match");
        if (values == null || values.isEmpty()) {
            return false;
        }
        String cacheControl = request.getFirst("Cache-Control");
        if (cacheControl != null && NO_CACHE.matcher(cacheControl).find()) {
            return false;
        }
        String noneMatch = String.join(",", values).trim();
        if ("*".equals(noneMatch)) {
            return true;
        }
        for (String token : noneMatch.split(",")) {
            String t = token.trim();
            if (t.equals(etag) || t.equals("W/" + etag) || ("W/" + t).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** Reads the request body, refusing more than {@link #MAX_BODY} bytes. */
    static byte[] readBody(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) != -1) {
                out.write(buf, 0, n);
                if (out.size() > MAX_BODY) {
                    throw new IOException("request body too large");
                }
            }
            return out.toByteArray();
        }
    }

    /** Parses an {@code application/x-www-form-urlencoded} body; every value of every name is kept. */
    static Map<String, List<String>> parseForm(String body) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return params;
        }
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return params;
    }

    /** Decodes one form-urlencoded component ({@code +} is a space). */
    static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
