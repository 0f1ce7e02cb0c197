package dev.orgtoken.net;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * Internal: the one set of rules for every URL the library talks to or names (Logto endpoint,
 * issuers, JWKS, token endpoint): absolute {@code http} or {@code https}, a host, no user info, no
 * query or fragment; plain {@code http} counts as insecure unless the host is loopback. Messages
 * start with the option's name and never quote a URL that carries user info, which may be a
 * password.
 */
public final class HttpUrls {
    private HttpUrls() {}

    /**
     * Parses and {@linkplain #check checks} a URL.
     *
     * @param what the option's name, which starts every message
     * @param text the URL
     * @return the URI
     * @throws IllegalArgumentException when it breaks a rule
     */
    public static URI parse(String what, String text) {
        Objects.requireNonNull(text, what);
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            String quoted = text.indexOf('@') >= 0 ? "" : ": '" + text + "'";
            throw new IllegalArgumentException(what + " is not a valid URI" + quoted + " (" + e.getReason() + ")");
        }
        check(what, uri);
        return uri;
    }

    /**
     * Checks a URL against the rules in the class comment (all but insecurity, which is the
     * caller's combination to judge).
     *
     * @param what the option's name, which starts every message
     * @param uri the URI
     * @throws IllegalArgumentException when it breaks a rule
     */
    public static void check(String what, URI uri) {
        if (uri.getRawUserInfo() != null || (uri.getRawAuthority() != null && uri.getRawAuthority().indexOf('@') >= 0)) {
            // Credentials belong in their own settings; a URL holding them would end up in messages and logs.
            throw new IllegalArgumentException(what + " must not contain user information");
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !("https".equals(scheme) || "http".equals(scheme))) {
            throw new IllegalArgumentException(what + " must be an absolute http or https URI, was '" + uri + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException(what + " has no host: '" + uri + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(what + " must not have a query or fragment: '" + uri + "'");
        }
    }

    /**
     * Whether a URL crosses the network unencrypted.
     *
     * @param uri a checked URI
     * @return true for plain {@code http} to a host that is not {@linkplain LoopbackHost loopback}
     */
    public static boolean isInsecure(URI uri) {
        return "http".equalsIgnoreCase(uri.getScheme()) && !LoopbackHost.is(uri.getHost());
    }
}
