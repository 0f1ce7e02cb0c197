package dev.orgtoken;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * The one set of rules for every URL the library talks to (endpoint, issuers, JWKS, token
 * endpoint): absolute {@code http} or {@code https}, a host, no user info, no query or fragment;
 * plain {@code http} only to a loopback host unless explicitly allowed.
 */
final class HttpUrls {
    private HttpUrls() {}

    /** Parses and {@linkplain #check checks}; messages start with {@code what}. */
    static URI parse(String what, String text) {
        Objects.requireNonNull(text, what);
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(what + " is not a valid URI: '" + text + "' (" + e.getReason() + ")");
        }
        check(what, uri);
        return uri;
    }

    static void check(String what, URI uri) {
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !("https".equals(scheme) || "http".equals(scheme))) {
            throw new IllegalArgumentException(what + " must be an absolute http or https URI, was '" + uri + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException(what + " has no host: '" + uri + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(what + " must not contain user info: '" + uri + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(what + " must not have a query or fragment: '" + uri + "'");
        }
    }

    /** Plain http to a host that is not loopback. */
    static boolean isInsecure(URI uri) {
        return "http".equalsIgnoreCase(uri.getScheme()) && !isLoopback(uri.getHost());
    }

    /**
     * {@code localhost}, {@code *.localhost} (RFC 6761), an IPv4 literal in {@code 127.0.0.0/8} and
     * {@code [::1]}. A name such as {@code 127.example.com} is not loopback.
     */
    static boolean isLoopback(String host) {
        String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.endsWith(".localhost") || LOOPBACK_V4.matcher(h).matches()
                || h.equals("[::1]") || h.equals("::1");
    }

    private static final java.util.regex.Pattern LOOPBACK_V4 =
            java.util.regex.Pattern.compile("127\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){2}");
}
