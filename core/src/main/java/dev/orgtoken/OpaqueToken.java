package dev.orgtoken;

/**
 * Recognizes a Logto opaque access token, so a client that sent one learns what to do instead of
 * reading "malformed". Logto (node-oidc-provider, {@code formats.bitsOfOpaqueRandomness} at its
 * default of 256 bits, not changed by Logto) mints an opaque access token when no API resource was
 * requested: {@code nanoid(43)}, 43 characters of the URL-safe alphabet {@code A-Z a-z 0-9 _ -}
 * and no dots. Only the issuer can read one (by introspection); an API needs a JWT, which Logto
 * issues when the client asks for an API resource ({@code resource=...}).
 */
final class OpaqueToken {
    static final String DESCRIPTION =
            "token is opaque; request a JWT access token for an API resource (resource=...)";
    /** ceil(256 / log2(64)) characters. */
    static final int LENGTH = 43;

    private OpaqueToken() {}

    static boolean looksLikeOne(String token) {
        if (token.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = token.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
