package dev.orgtoken.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Enumeration;

/**
 * Recognizes a browser's CORS preflight exactly as the Fetch standard sends it, so that
 * {@code cors-preflight: pass} hands on those requests and nothing else: a REQUEST dispatch of
 * {@code OPTIONS} (method names are case-sensitive) with one non-empty {@code Origin} and one
 * {@code Access-Control-Request-Method} naming a method, and no credentials of any kind: no
 * {@code Authorization} header, no {@code Cookie} header, no {@code access_token} query parameter.
 * A browser never sends credentials on a preflight (Fetch: a CORS-preflight request's credentials
 * mode is "omit"), so a request that carries some is not one, and is decided by the rules.
 */
final class CorsPreflightRequest {
    private CorsPreflightRequest() {}

    static boolean is(HttpServletRequest request) {
        return request.getDispatcherType() == DispatcherType.REQUEST
                && "OPTIONS".equals(request.getMethod())
                && single(request.getHeaders("Origin")) != null
                && isMethodName(single(request.getHeaders("Access-Control-Request-Method")))
                && request.getHeader("Authorization") == null
                && request.getHeader("Cookie") == null
                && BearerToken.countQueryTokens(request.getQueryString()) == 0;
    }

    /** The header's only value when it is sent exactly once and is not blank; else null. */
    private static String single(Enumeration<String> values) {
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String value = values.nextElement();
        return values.hasMoreElements() || value == null || value.isBlank() ? null : value;
    }

    /** An RFC 9110 method: a token (letters, digits and {@code !#$%&'*+-.^_`|~}). */
    private static boolean isMethodName(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tchar = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }
}
