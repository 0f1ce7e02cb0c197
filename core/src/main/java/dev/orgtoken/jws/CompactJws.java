package dev.orgtoken.jws;

import dev.orgtoken.jws.JwsException.Failure;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

/**
 * A JWS in compact serialization, split and decoded but <em>not yet verified</em>.
 *
 * <p>Parsing is strict on purpose: only the base64url alphabet and exactly two dots (which also
 * rules out JWE, JSON serialization, padding and whitespace), canonical encoding (no set unused
 * bits in a segment's last character), UTF-8 that decodes without replacement, and JSON objects
 * without duplicate members. Anything looser gives an attacker two spellings of one token.
 */
public final class CompactJws {
    private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();

    private final String serialization;
    private final Map<String, Object> header;
    private final String payloadJson;

    private CompactJws(String serialization, Map<String, Object> header, String payloadJson) {
        this.serialization = serialization;
        this.header = header;
        this.payloadJson = payloadJson;
    }

    /**
     * Checks only the length and alphabet: the cheap gate run before any decoding (the verifier
     * runs it on a token-cache miss), so an oversized or non-JWS string costs almost nothing.
     *
     * @param token the candidate token
     * @param maxLength the longest token accepted
     * @throws JwsException when the string cannot be a compact JWS
     */
    public static void checkShape(String token, int maxLength) throws JwsException {
        if (token == null || token.isEmpty()) {
            throw new JwsException(Failure.MALFORMED, "token is empty");
        }
        if (token.length() > maxLength) {
            throw new JwsException(Failure.TOO_LARGE, "token is too large");
        }
        int dots = 0;
        for (int i = 0, n = token.length(); i < n; i++) {
            char c = token.charAt(i);
            if (c == '.') {
                dots++;
            } else if (!isBase64UrlChar(c)) {
                throw new JwsException(Failure.MALFORMED, "token is not a compact JWS");
            }
        }
        if (dots != 2) {
            throw new JwsException(Failure.MALFORMED, "token is not a compact JWS");
        }
    }

    /**
     * Splits and decodes a compact JWS. Call {@link #checkShape} first (this method repeats it).
     *
     * @param token the candidate token
     * @param maxLength the longest token accepted
     * @return the decoded, unverified JWS
     * @throws JwsException when it is not a well-formed compact JWS
     */
    public static CompactJws parse(String token, int maxLength) throws JwsException {
        checkShape(token, maxLength);
        int first = token.indexOf('.');
        int second = token.indexOf('.', first + 1);
        if (first == 0 || second == first + 1 || second == token.length() - 1) {
            throw new JwsException(Failure.MALFORMED, "token has an empty segment");
        }
        Map<String, Object> header = jsonObject(decodeUtf8(token.substring(0, first)), "header");
        String payload = decodeUtf8(token.substring(first + 1, second));
        // Decode the signature once here so a bad encoding is MALFORMED, not BAD_SIGNATURE.
        decode(token.substring(second + 1));
        return new CompactJws(token, Collections.unmodifiableMap(header), payload);
    }

    /** @return the token exactly as received */
    public String serialization() {
        return serialization;
    }

    /** @return the decoded protected header (unmodifiable) */
    public Map<String, Object> header() {
        return header;
    }

    /** @return the payload as a string; parse it with {@link #payloadObject()} */
    public String payloadJson() {
        return payloadJson;
    }

    /**
     * @return the payload as a JSON object
     * @throws JwsException when it is not one (for example a nested JWS)
     */
    public Map<String, Object> payloadObject() throws JwsException {
        return jsonObject(payloadJson, "payload");
    }

    /** @return the {@code alg} header when it is a string, else null */
    public String algorithm() {
        return header.get("alg") instanceof String s ? s : null;
    }

    /** @return the {@code kid} header when it is a string, else null */
    public String keyId() {
        return header.get("kid") instanceof String s ? s : null;
    }

    /** @return the {@code typ} header when it is a string, else null */
    public String type() {
        return header.get("typ") instanceof String s ? s : null;
    }

    /**
     * Whether a {@code typ} value names an OAuth 2.0 JWT access token (RFC 9068 section 2.1):
     * {@code at+jwt} or {@code application/at+jwt}, case-insensitively.
     *
     * @param typ a header value, possibly null
     * @return true for an access-token type
     */
    public static boolean isAccessTokenType(String typ) {
        if (typ == null) {
            return false;
        }
        String t = typ.toLowerCase(Locale.ROOT);
        return t.equals("at+jwt") || t.equals("application/at+jwt");
    }

    static boolean isBase64UrlChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private static byte[] decode(String segment) throws JwsException {
        if (segment.length() % 4 == 1) {
            throw new JwsException(Failure.MALFORMED, "token segment is not base64url");
        }
        // The JDK's decoder ignores the unused low bits of the last character, so "AB" and "AA"
        // both decode to one zero byte: two spellings of one segment. The signature covers the
        // text, so a signer could mint both, and a signature segment (ES256's, RS256's) could be
        // re-spelled without any key. Only the canonical encoding (unused bits zero, RFC 4648
        // section 3.5) is accepted. Found by Wycheproof's JWS tcId 374, re-applied to an ES384 token.
        int rest = segment.length() % 4;
        if (rest != 0 && (sextet(segment.charAt(segment.length() - 1)) & (rest == 2 ? 0x0F : 0x03)) != 0) {
            throw new JwsException(Failure.MALFORMED, "token segment is not base64url");
        }
        try {
            return BASE64URL.decode(segment);
        } catch (IllegalArgumentException e) {
            throw new JwsException(Failure.MALFORMED, "token segment is not base64url");
        }
    }

    /** The 6-bit value of a base64url character (the alphabet was checked by {@link #checkShape}). */
    private static int sextet(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '-' ? 62 : 63;
    }

    private static String decodeUtf8(String segment) throws JwsException {
        byte[] bytes = decode(segment);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new JwsException(Failure.MALFORMED, "token segment is not UTF-8");
        }
    }

    private static Map<String, Object> jsonObject(String json, String what) throws JwsException {
        String trimmed = json.strip();
        if (!trimmed.startsWith("{")) {
            throw new JwsException(Failure.MALFORMED, "token " + what + " is not a JSON object");
        }
        try {
            // jose4j's parser rejects duplicate member names, which closes the
            // "two parsers see two different claims" class of confusion.
            return JsonUtil.parseJson(trimmed);
        } catch (JoseException | RuntimeException e) {
            throw new JwsException(Failure.MALFORMED, "token " + what + " is not valid JSON");
        }
    }

}
