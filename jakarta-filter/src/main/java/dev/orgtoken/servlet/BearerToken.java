package dev.orgtoken.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Enumeration;

/**
 * Finds the bearer token of a request (RFC 6750 section 2): exactly one {@code Authorization:
 * Bearer <credentials>} header, or, only where enabled, one {@code access_token} query parameter.
 * Header credentials are handed to the verifier as sent (see {@link Present}).
 * The form-body method is not supported, because reading the body would consume it for the
 * application.
 */
final class BearerToken {
    private BearerToken() {}

    /** What the request carries. */
    sealed interface Extraction permits Absent, Present, Malformed {}

    /** No bearer credentials at all (or another scheme, such as Basic). */
    record Absent() implements Extraction {}

    /**
     * One token. A header token's characters are not scanned here: reading about 700 characters
     * cost more than the rest of the warm path (650 ns of 1.7 us in the FilterWarm benchmark), and
     * the verifier reads them anyway on a cache miss, refusing anything that is not base64url and
     * dots as a malformed token (401 {@code invalid_token}, as RFC 6750 section 3.1 defines it).
     * A hit is char for char a token that passed that check. The token is not copied out of the
     * header either: the verifier reads it in place ({@code source} from {@code start}).
     *
     * @param source the header value (or the decoded query parameter) holding the token
     * @param start where the token starts in {@code source}
     */
    record Present(String source, int start) implements Extraction {
        Present(String token) {
            this(token, 0);
        }

        /** The token as a string of its own (a copy, unless it is the whole source). */
        String token() {
            return start == 0 ? source : source.substring(start);
        }
    }

    /** Malformed credentials: answered with 400 {@code invalid_request}. */
    record Malformed(String description) implements Extraction {}

    private static final Absent ABSENT = new Absent();


    static Extraction extract(HttpServletRequest request, boolean queryTokenAllowed) {
        Enumeration<String> headers = request.getHeaders("Authorization");
        String header = null;
        if (headers != null && headers.hasMoreElements()) {
            header = headers.nextElement();
            if (headers.hasMoreElements()) {
                return new Malformed("more than one Authorization header");
            }
        }
        int queryTokens = countQueryTokens(request.getQueryString());
        if (queryTokens > 1) {
            return new Malformed("more than one access_token parameter");
        }
        if (header != null) {
            Extraction parsed = parseHeader(header);
            if (parsed instanceof Malformed) {
                return parsed;
            }
            if (parsed instanceof Present p) {
                return queryTokens == 1 ? new Malformed("credentials in both the Authorization header and the query") : p;
            }
        }
        if (queryTokens == 1) {
            if (header != null) {
                return new Malformed("credentials in both the Authorization header and the query");
            }
            if (!queryTokenAllowed) {
                return new Malformed("access_token in the query is not accepted; use the Authorization header");
            }
            String value = queryToken(request.getQueryString());
            return value == null || value.isEmpty() || !isToken68(value)
                    ? new Malformed("access_token parameter is malformed") : new Present(value);
        }
        return ABSENT;
    }

    private static Extraction parseHeader(String header) {
        int space = header.indexOf(' ');
        int schemeEnd = space < 0 ? header.length() : space;
        // Scheme names are case-insensitive (RFC 9110 section 11.1); compared in place, no copy.
        if (schemeEnd != 6 || !header.regionMatches(true, 0, "bearer", 0, 6)) {
            // Another scheme (Basic, Digest, ...): no bearer credentials were offered.
            String scheme = header.substring(0, schemeEnd);
            return isTokenChars(scheme) && !scheme.isEmpty() ? ABSENT : new Malformed("Authorization header is malformed");
        }
        if (space < 0) {
            return new Malformed("Bearer credentials are empty");
        }
        int start = space;
        while (start < header.length() && header.charAt(start) == ' ') {
            start++;   // RFC 6750 section 2.1: "Bearer" 1*SP b64token
        }
        if (start == header.length()) {
            return new Malformed("Bearer credentials are malformed");   // "Bearer" and spaces only
        }
        return new Present(header, start);   // characters, and why no copy: see Present
    }

    /** RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". */
    static boolean isToken68(String s) {
        int n = s.length();
        int i = 0;
        char c;
        while (i < n && (c = s.charAt(i)) < 128 && B64TOKEN[c]) {
            i++;
        }
        if (i == 0) {
            return false;
        }
        while (i < n && s.charAt(i) == '=') {
            i++;
        }
        return i == n;
    }

    /** The b64token alphabet, indexed by ASCII code (used for query tokens, which are opt-in). */
    private static final boolean[] B64TOKEN = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            B64TOKEN[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
        }
    }

    private static boolean isTokenChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    static int countQueryTokens(String query) {
        if (query == null || query.isEmpty()) {
            return 0;
        }
        int count = 0;
        for (String pair : query.split("&", -1)) {
            String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
            if (name.equals("access_token") || name.equalsIgnoreCase("access%5Ftoken") || name.equals("access_token[]")) {
                count++;
            }
        }
        return count;
    }

    private static String queryToken(String query) {
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("access_token")) {
                try {
                    return java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
