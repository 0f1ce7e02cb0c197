package dev.orgtoken.servlet;

import static dev.orgtoken.servlet.Problems.assertProblem;
import static dev.orgtoken.servlet.TestRules.ORG_API;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.RejectionReason;
import dev.orgtoken.Requirements;
import dev.orgtoken.TokenRejectedException;
import dev.orgtoken.rules.RuleSet;
import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.SigningKey;
import dev.orgtoken.testkit.TokenBuilder;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jose4j.jca.ProviderContext;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwa.AlgorithmFactoryFactory;
import org.jose4j.jws.EcdsaUsingShaAlgorithm;
import org.jose4j.jws.JsonWebSignatureAlgorithm;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A catalog of JWT attacks and malformations, with RFC 8725 (JWT best current practices) and
 * RFC 9068 (JWT access tokens) as the checklist, each sent to {@code GET /api/me} (any valid token
 * for the default audience) on Jetty and on Tomcat. Read {@link #catalog()} as the list: one line
 * per case, with the answer it must get.
 *
 * <p>The expected answer is, unless the case says otherwise, 401 with
 * {@code WWW-Authenticate: Bearer realm="api", error="invalid_token", error_description="<fixed
 * text>"}, an {@code application/problem+json} body with that text as {@code detail}, the token
 * echoed nowhere, and the application not reached. The exceptions, each deliberate:
 * <ul>
 *   <li>Credentials that are not RFC 6750 {@code b64token} syntax (the JSON serialization
 *       {@code {"payload":...}}, {@code =} anywhere but at the end, a space or a tab inside the
 *       token) are malformed tokens: 401 "token is not a compact JWS", like {@code +}, {@code /}
 *       and {@code ~}, which are {@code b64token} characters but not base64url. The filter does not
 *       scan a header token itself (that would cost more than the rest of the warm path); the
 *       verifier reads every character on a cache miss. Only the header's own syntax (an empty
 *       {@code Bearer}, two headers, a bad scheme) is answered 400 {@code invalid_request};</li>
 *   <li><b>refused by the container</b>, before the filter: a 10 KB {@code kid} makes the request
 *       head larger than both containers' default 8 KiB (Jetty 431, Tomcat 400); a NUL byte in the
 *       header value (both answer 400). The application is not reached; the body is the
 *       container's own error page;</li>
 *   <li><b>200</b>: {@code nbf} or {@code iat} of -1 in a token our issuer signed. A NumericDate may
 *       be negative (RFC 7519 section 2): it is merely in the past, like a negative {@code exp},
 *       which is "expired" (the verifier's own {@code aNegativeExpIsExpired} pins that). Only the
 *       issuer can mint such a token, so accepting it lets no attacker in.</li>
 * </ul>
 *
 * <p>The deployment is the suite's rules plus {@code max-token-length: 4096}: both containers cap
 * the request head at 8 KiB, so the "oversized token" case needs a limit below that to reach the
 * filter (it is refused before decoding: a 5,000-character string that is not even base64url JSON
 * gets "token is too large", not a parse error). The same cap bounds the "deep nesting" cases to
 * 1,200 nested arrays (the verifier refuses any nesting deeper than 32 anyway);
 * {@link #tenThousandNestedArraysNeverOverflowTheStack()} sends 10,000
 * and 100,000 through the verifier directly, on a thread with a 256 KiB stack.
 *
 * <p>The {@code jku} and {@code x5u} cases point at a second issuer that signed the token; it is
 * checked after each case that nothing was fetched from it.
 */
class JwtAttackCatalogTest {
    private static LogtoTestIssuer issuer;
    private static LogtoTestIssuer attackersIssuer;
    private static List<Deployment> running;

    @BeforeAll
    static void start() {
        issuer = LogtoTestIssuer.start();
        attackersIssuer = LogtoTestIssuer.start();
        String text = TestRules.text().replace("  jwks-refresh-cooldown: 1s\n",
                "  jwks-refresh-cooldown: 1s\n  max-token-length: 4096\n");
        assertTrue(text.contains("max-token-length: 4096"));
        running = Deployment.onBoth(() -> new OrganizationTokenFilter(RuleSet.load("rules-4k.yaml",
                new StringReader(text), Map.of("LOGTO_ENDPOINT", issuer.endpoint().toString())::get)));
    }

    @AfterAll
    static void stop() {
        Deployment.stopAll(running);
        if (issuer != null) {
            issuer.close();
        }
        if (attackersIssuer != null) {
            attackersIssuer.close();
        }
    }

    // ================================================================== the catalog

    static List<Case> catalog() throws Exception {
        List<Case> c = new ArrayList<>();
        String kid = issuer.currentKey().kid();
        SigningKey attacker = SigningKey.generate(KeyType.EC_P384);
        Instant now = Instant.now();

        // ---- alg "none" (RFC 8725 section 2.1, 3.1)
        for (String none : List.of("none", "None", "NONE", "nOnE")) {
            c.add(token("alg " + none + ", no signature segment content",
                    me().signedWith(null, "none").algorithm(none).sign(), invalidToken("token has an empty segment")));
            c.add(token("alg " + none + ", with a signature", me().algorithm(none).sign(),
                    invalidToken("token algorithm is not allowed")));
        }
        c.add(token("alg none, header {\"alg\":\"none\"} only, no signature",
                me().rawHeader("{\"alg\":\"none\"}").signedWith(null, "none").sign(),
                invalidToken("token has an empty segment")));
        c.add(token("alg none, two segments (no trailing dot)", withoutLastChar(me().signedWith(null, "none").sign()),
                invalidToken("token is not a compact JWS")));
        c.add(token("alg missing", me().algorithm(null).sign(), invalidToken("token algorithm is not allowed")));
        c.add(token("alg in lower case (es384)", me().algorithm("es384").sign(),
                invalidToken("token algorithm is not allowed")));
        c.add(token("alg as an array [\"ES384\"]", me().header("alg", List.of("ES384")).sign(),
                invalidToken("token algorithm is not allowed")));

        // ---- HMAC keyed with our public key (RFC 8725 section 2.1, 3.1: key confusion)
        ECPublicKey publicKey = (ECPublicKey) issuer.currentKey().publicKey();
        Map<String, byte[]> encodings = new LinkedHashMap<>();
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(publicKey.getEncoded())
                + "\n-----END PUBLIC KEY-----";
        encodings.put("PEM with trailing newline", (pem + "\n").getBytes(StandardCharsets.US_ASCII));
        encodings.put("PEM without trailing newline", pem.getBytes(StandardCharsets.US_ASCII));
        encodings.put("DER (X.509 SubjectPublicKeyInfo)", publicKey.getEncoded());
        encodings.put("JWK JSON", issuer.currentKey().publicJwk().getBytes(StandardCharsets.UTF_8));
        encodings.put("raw uncompressed point", uncompressedPoint(publicKey));
        for (String hs : List.of("HS256", "HS384", "HS512")) {
            encodings.forEach((encoding, secret) -> c.add(token(hs + " keyed with our public key, " + encoding,
                    me().signedWith(new HmacKey(secret), hs).kid(kid).sign(),
                    invalidToken("token algorithm is not allowed"))));
        }

        // ---- algorithm substitution among asymmetric algorithms (RFC 8725 section 3.1)
        c.add(token("alg ES256 with our P-384 key", me().algorithm("ES256").sign(),
                invalidToken("token algorithm does not match its key")));
        c.add(token("alg RS256 with our EC key", me().algorithm("RS256").sign(),
                invalidToken("token algorithm does not match its key")));
        c.add(token("alg PS384 (not on the allow-list)", me().algorithm("PS384").sign(),
                invalidToken("token algorithm is not allowed")));

        // ---- ECDSA signature encodings and values (P-384: r, s in [1, n-1], 48 octets each)
        String valid = me().sign();
        String input = valid.substring(0, valid.lastIndexOf('.'));
        byte[] sig = Base64.getUrlDecoder().decode(valid.substring(valid.lastIndexOf('.') + 1));
        byte[] r = Arrays.copyOfRange(sig, 0, 48);
        byte[] s = Arrays.copyOfRange(sig, 48, 96);
        byte[] n = octets(EllipticCurves.P384.getOrder(), 48);
        byte[] zero = new byte[48];
        c.add(token("ES384, empty signature", input + ".", invalidToken("token has an empty segment")));
        c.add(token("ES384, signature truncated to 95 octets", input + "." + b64(Arrays.copyOf(sig, 95)),
                invalidToken("token signature is invalid")));
        c.add(token("ES384, signature truncated to r only (48 octets)", input + "." + b64(r),
                invalidToken("token signature is invalid")));
        c.add(token("ES384, over-long signature (97 octets, zero appended)", input + "." + b64(Arrays.copyOf(sig, 97)),
                invalidToken("token signature is invalid")));
        c.add(token("ES384, over-long signature (r and s zero-extended to 49 octets)",
                input + "." + b64(concat(new byte[1], r, new byte[1], s)), invalidToken("token signature is invalid")));
        c.add(token("ES384, DER-encoded signature (ASN.1 SEQUENCE of r, s)",
                input + "." + b64(EcdsaUsingShaAlgorithm.convertConcatenatedToDer(sig)),
                invalidToken("token signature is invalid")));
        c.add(token("ES384, r = 0, s = 0", input + "." + b64(concat(zero, zero)), invalidToken("token signature is invalid")));
        c.add(token("ES384, r = 0", input + "." + b64(concat(zero, s)), invalidToken("token signature is invalid")));
        c.add(token("ES384, s = 0", input + "." + b64(concat(r, zero)), invalidToken("token signature is invalid")));
        c.add(token("ES384, r = n", input + "." + b64(concat(n, s)), invalidToken("token signature is invalid")));
        c.add(token("ES384, s = n", input + "." + b64(concat(r, n)), invalidToken("token signature is invalid")));
        c.add(token("ES384, r = s = n", input + "." + b64(concat(n, n)), invalidToken("token signature is invalid")));
        c.add(token("ES384, r and s swapped", input + "." + b64(concat(s, r)), invalidToken("token signature is invalid")));
        c.add(token("signed by an unknown key, with our kid", me().signedWith(attacker).kid(kid).sign(),
                invalidToken("token signature is invalid")));

        // ---- keys carried or pointed at by the token (RFC 8725 section 3.10, RFC 7515 section 4.1)
        c.add(token("embedded jwk header with the attacker's key, our kid",
                me().signedWith(attacker).kid(kid).header("jwk", JsonUtil.parseJson(attacker.publicJwk())).sign(),
                invalidToken("token header 'jwk' is not accepted")));
        c.add(token("embedded jwk header with the attacker's key and kid",
                me().signedWith(attacker).header("jwk", JsonUtil.parseJson(attacker.publicJwk())).sign(),
                invalidToken("token header 'jwk' is not accepted")));
        String attackersKid = attackersIssuer.currentKey().kid();
        Runnable nothingFetched = () -> {
            assertEquals(0, attackersIssuer.jwksRequests(), "the attacker's JWKS was fetched");
            assertEquals(0, attackersIssuer.discoveryRequests(), "the attacker's discovery was fetched");
        };
        c.add(token("jku pointing at the attacker's issuer, which signed the token",
                attackers().header("jku", attackersIssuer.jwksUri().toString()).sign(),
                invalidToken("token header 'jku' is not accepted")).then(nothingFetched));
        c.add(token("x5u pointing at the attacker's issuer, which signed the token",
                attackers().header("x5u", attackersIssuer.jwksUri().toString()).sign(),
                invalidToken("token header 'x5u' is not accepted")).then(nothingFetched));
        c.add(token("x5c carrying the attacker's key (refused by name; no chain is built)",
                attackers().header("x5c", List.of(Base64.getEncoder().encodeToString(
                        attackersIssuer.currentKey().publicKey().getEncoded()))).sign(),
                invalidToken("token header 'x5c' is not accepted")).then(nothingFetched));
        c.add(token("jku with our kid, signed by the attacker",
                me().signedWith(attacker).kid(kid).header("jku", attackersIssuer.jwksUri().toString()).sign(),
                invalidToken("token header 'jku' is not accepted")).then(nothingFetched));

        // ---- kid injection (RFC 8725 section 3.10)
        c.add(token("kid path traversal ../../etc/passwd", me().kid("../../etc/passwd").sign(),
                invalidToken("token signing key is unknown")));
        c.add(token("kid SQL ' OR 1=1 --", me().kid("' OR 1=1 --").sign(), invalidToken("token signing key is unknown")));
        c.add(token("kid with CR, LF and NUL (log injection)", me().kid("x\r\nWARN forged\u0000").sign(),
                invalidToken("token signing key is unknown")));
        c.add(token("kid of 2,500 characters (fits under the 4096 limit)", me().kid("k".repeat(2_500)).sign(),
                invalidToken("token signing key is unknown")));
        c.add(new Case("kid of 10 KB (request head over 8 KiB)", "Bearer " + me().kid("k".repeat(10_240)).sign(),
                Expect.containerRefuses(431, 400)));
        c.add(token("kid empty string", me().kid("").sign(), invalidToken("token has no key id")));
        c.add(token("kid a number", me().header("kid", 1234).sign(), invalidToken("token has no key id")));
        c.add(token("kid an object", me().header("kid", Map.of("$ne", "")).sign(), invalidToken("token has no key id")));
        c.add(token("kid null", me().header("kid", null).sign(), invalidToken("token has no key id")));
        c.add(token("kid missing", me().kid(null).sign(), invalidToken("token has no key id")));

        // ---- extensions and other JOSE forms (RFC 7515 section 4.1.11, RFC 7797, RFC 7516)
        c.add(token("crit naming an unknown extension", me().header("crit", List.of("x-policy"))
                .header("x-policy", true).sign(), invalidToken("token header 'crit' is not accepted")));
        c.add(token("b64 false with crit [\"b64\"] (RFC 7797)",
                me().header("b64", false).header("crit", List.of("b64")).sign(),
                invalidToken("token header 'b64' is not accepted")));
        c.add(token("b64 false without crit", me().header("b64", false).sign(),
                invalidToken("token header 'b64' is not accepted")));
        c.add(token("enc header (a JWE header on a JWS)", me().header("enc", "A256GCM").sign(),
                invalidToken("token header 'enc' is not accepted")));
        c.add(token("zip header", me().header("zip", "DEF").sign(), invalidToken("token header 'zip' is not accepted")));
        String jweHeader = b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\",\"kid\":\"" + kid + "\"}");
        c.add(token("JWE compact (5 segments)", jweHeader + "." + b64(new byte[256]) + "." + b64(new byte[12]) + "."
                + b64("ciphertext") + "." + b64(new byte[16]), invalidToken("token is not a compact JWS")));
        c.add(token("JWE compact, dir (empty encrypted key)", b64("{\"alg\":\"dir\",\"enc\":\"A256GCM\"}") + ".."
                + b64(new byte[12]) + "." + b64("ciphertext") + "." + b64(new byte[16]),
                invalidToken("token is not a compact JWS")));
        String inner = me().sign();
        c.add(token("nested JWT: cty JWT, payload a signed token", me().header("cty", "JWT").rawPayload(inner).sign(),
                invalidToken("token header 'cty' is not accepted")));
        c.add(token("nested JWT without cty: payload a signed token", me().rawPayload(inner).sign(),
                invalidToken("token payload is not a JSON object")));
        String[] parts = valid.split("\\.");
        Map<String, Object> general = new LinkedHashMap<>();
        general.put("payload", parts[1]);
        general.put("signatures", List.of(Map.of("protected", parts[0], "signature", parts[2])));
        c.add(token("JWS JSON serialization (general) as the bearer value", JsonUtil.toJson(general),
                invalidToken("token is not a compact JWS")));
        Map<String, Object> flattened = new LinkedHashMap<>();
        flattened.put("payload", parts[1]);
        flattened.put("protected", parts[0]);
        flattened.put("signature", parts[2]);
        c.add(token("JWS JSON serialization (flattened) as the bearer value", JsonUtil.toJson(flattened),
                invalidToken("token is not a compact JWS")));

        // ---- segments and alphabet
        c.add(token("1 segment", parts[0], invalidToken("token is not a compact JWS")));
        c.add(token("2 segments (signature dropped)", parts[0] + "." + parts[1], invalidToken("token is not a compact JWS")));
        c.add(token("4 segments", valid + ".AAAA", invalidToken("token is not a compact JWS")));
        c.add(token("empty header segment", "." + parts[1] + "." + parts[2], invalidToken("token has an empty segment")));
        c.add(token("'=' padding at the end (b64token allows it)", valid + "=", invalidToken("token is not a compact JWS")));
        c.add(token("'==' padding at the end", valid + "==", invalidToken("token is not a compact JWS")));
        c.add(token("'=' padding after the header", parts[0] + "=." + parts[1] + "." + parts[2],
                invalidToken("token is not a compact JWS")));
        c.add(token("'=' inside the payload", parts[0] + "." + parts[1].substring(0, 4) + "=" + parts[1].substring(4)
                + "." + parts[2], invalidToken("token is not a compact JWS")));
        c.add(token("'+' (standard base64) in the signature", parts[0] + "." + parts[1] + ".+" + parts[2].substring(1),
                invalidToken("token is not a compact JWS")));
        c.add(token("'/' (standard base64) in the signature", parts[0] + "." + parts[1] + "./" + parts[2].substring(1),
                invalidToken("token is not a compact JWS")));
        c.add(token("'~' (a b64token character) in the payload", parts[0] + ".~" + parts[1] + "." + parts[2],
                invalidToken("token is not a compact JWS")));
        c.add(token("space inside the token", parts[0] + ". " + parts[1] + "." + parts[2],
                invalidToken("token is not a compact JWS")));
        c.add(token("tab inside the token", parts[0] + ".\t" + parts[1] + "." + parts[2],
                invalidToken("token is not a compact JWS")));
        c.add(new Case("NUL inside the token", "Bearer " + parts[0] + ".\u0000" + parts[1] + "." + parts[2],
                Expect.containerRefuses(400, 400)));
        c.add(token("non-zero unused bits in the payload's last character, signed as sent",
                signRaw(parts[0] + "." + withUnusedBits(paddedPayloadSegment())),
                invalidToken("token segment is not base64url")));

        // ---- JSON: duplicates, encodings, size, depth
        String header = me().headerJson();
        String payload = me().unsignedPayloadJson();
        c.add(token("duplicate header member alg (ES384, then none)",
                me().rawHeader(header.replace("{", "{\"alg\":\"none\",")).sign(), invalidToken("token header is not valid JSON")));
        c.add(token("duplicate claim sub", me().rawPayload(payload.replace("{", "{\"sub\":\"admin\",")).sign(),
                invalidToken("token payload is not valid JSON")));
        c.add(token("duplicate claim aud", me().rawPayload(payload.replace("{", "{\"aud\":\"https://other.example\","))
                .sign(), invalidToken("token payload is not valid JSON")));
        c.add(token("duplicate claim iss", me().rawPayload(payload.replace("{", "{\"iss\":\"https://evil.example/oidc\","))
                .sign(), invalidToken("token payload is not valid JSON")));
        byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
        byte[] payloadBytes = payload.getBytes(StandardCharsets.UTF_8);
        c.add(token("non-UTF-8 byte 0xFF in the header", signRaw(b64(insert(headerBytes, 1, 0xFF)) + "." + b64(payloadBytes)),
                invalidToken("token segment is not UTF-8")));
        c.add(token("Latin-1 'é' (0xE9) in a claim", signRaw(b64(headerBytes) + "." + b64(payloadBytes(payload, 0xE9))),
                invalidToken("token segment is not UTF-8")));
        c.add(token("overlong UTF-8 '/' (C0 AF) in a claim",
                signRaw(b64(headerBytes) + "." + b64(payloadBytes(payload, 0xC0, 0xAF))),
                invalidToken("token segment is not UTF-8")));
        c.add(token("UTF-16 surrogate as UTF-8 (ED A0 80) in a claim",
                signRaw(b64(headerBytes) + "." + b64(payloadBytes(payload, 0xED, 0xA0, 0x80))),
                invalidToken("token segment is not UTF-8")));
        c.add(token("oversized (6,000 characters, validly signed)", me().claim("pad", "x".repeat(4_500)).sign(),
                invalidToken("token is too large")));
        c.add(token("oversized garbage, refused before decoding", "A".repeat(5_000) + ".B.C",
                invalidToken("token is too large")));
        c.add(token("1,200 nested arrays in a claim", deepClaim(me(), nestedArrays(1_200)).sign(),
                invalidToken("token claims are nested too deeply")));
        c.add(token("300 nested objects in a claim", deepClaim(me(), "{\"a\":".repeat(300) + "1" + "}".repeat(300))
                .sign(), invalidToken("token claims are nested too deeply")));
        c.add(token("1,200 nested arrays in the header, signed by the attacker",
                deepHeader(me().signedWith(attacker).kid(kid), nestedArrays(1_200)).sign(),
                invalidToken("token signature is invalid")));

        // ---- time claims (RFC 7519 section 4.1.4 to 4.1.6; RFC 8725 section 3.10)
        for (String claim : List.of("exp", "nbf", "iat")) {
            c.add(token(claim + " as a string", me().claim(claim, String.valueOf(now.getEpochSecond())).sign(),
                    invalidToken("claim '" + claim + "' must be a number")));
            c.add(token(claim + " as a boolean", me().claim(claim, true).sign(),
                    invalidToken("claim '" + claim + "' must be a number")));
            c.add(token(claim + " null", me().claim(claim, null).sign(),
                    invalidToken("claim '" + claim + "' is missing or not a number")));
            c.add(token(claim + " 1e300", me().rawPayload(payloadWith(claim, "1e300")).sign(),
                    invalidToken("claim '" + claim + "' is out of range")));
            c.add(token(claim + " -1e300", me().rawPayload(payloadWith(claim, "-1e300")).sign(),
                    invalidToken("claim '" + claim + "' is out of range")));
            c.add(token(claim + " negative (-1)", me().claim(claim, -1L).sign(), claim.equals("exp")
                    ? invalidToken("token has expired") : Expect.passes()));
        }
        c.add(token("exp an hour ago", me().issuedAt(now.minus(Duration.ofHours(2))).expiresAt(now.minus(Duration.ofHours(1)))
                .sign(), invalidToken("token has expired")));
        c.add(token("nbf in an hour", me().notBefore(now.plus(Duration.ofHours(1))).sign(),
                invalidToken("token is not valid yet")));
        c.add(token("iat in an hour", me().issuedAt(now.plus(Duration.ofHours(1))).sign(),
                invalidToken("token was issued in the future")));

        // ---- audience (RFC 9068 section 4, RFC 8725 section 3.9)
        String badAud = "claim 'aud' is missing or not a string or an array of strings";
        c.add(token("aud []", me().claim("aud", List.of()).sign(), invalidToken(badAud)));
        c.add(token("aud an object", me().claim("aud", Map.of("aud", ORG_API)).sign(), invalidToken(badAud)));
        c.add(token("aud [\"\"]", me().claim("aud", List.of("")).sign(),
                invalidToken("claim 'aud' must be a string or an array of strings")));
        c.add(token("aud missing", me().removeClaim("aud").sign(), invalidToken(badAud)));
        c.add(token("aud with a trailing slash", issuer.globalApiToken("user-1", ORG_API + "/").sign(),
                invalidToken("token is not for this audience")));
        c.add(token("aud in other case", issuer.globalApiToken("user-1", "HTTPS://API.EXAMPLE.COM/ORG").sign(),
                invalidToken("token is not for this audience")));
        c.add(token("aud of an organization token (cross-JWT confusion)",
                issuer.organizationToken("user-1", "o1", "read:members").sign(),
                invalidToken("token is not for this audience")));

        // ---- issuer near-misses (RFC 8725 section 3.8)
        String iss = issuer.issuer();
        Map<String, String> issuers = new LinkedHashMap<>();
        issuers.put("iss with a trailing slash", iss + "/");
        issuers.put("iss https instead of http", iss.replaceFirst("^http:", "https:"));
        issuers.put("iss in upper case", iss.toUpperCase(java.util.Locale.ROOT));
        issuers.put("iss with the path in other case", iss.replace("/oidc", "/OIDC"));
        issuers.put("iss with a suffix", iss + ".evil.example");
        issuers.put("iss as a prefix of a longer path", iss + "x");
        issuers.put("iss with a dot segment", iss.replace("/oidc", "/x/../oidc"));
        issuers.put("iss via localhost instead of 127.0.0.1", iss.replace("127.0.0.1", "localhost"));
        issuers.forEach((name, value) -> c.add(token(name, me().issuer(value).sign(),
                invalidToken("token issuer is not trusted"))));
        c.add(token("iss as an array", me().claim("iss", List.of(iss)).sign(),
                invalidToken("claim 'iss' is missing or not a string")));

        // ---- type (RFC 9068 section 2.1 and 4, RFC 8725 section 3.11)
        c.add(token("typ JWT", me().type("JWT").sign(), invalidToken("token is not an access token (typ must be at+jwt)")));
        c.add(token("typ missing", me().type(null).sign(), invalidToken("token is not an access token (typ must be at+jwt)")));
        c.add(token("ID token replayed (typ JWT, aud = client id, nonce, at_hash)",
                issuer.token().subject("user-1").audience(LogtoTestIssuer.DEFAULT_CLIENT_ID).type("JWT")
                        .claim("nonce", "n-0S6_WzA2Mj").claim("at_hash", "77QmUPtjPfzWtF2AnpK9RQ").sign(),
                invalidToken("token is not an access token (typ must be at+jwt)")));
        c.add(token("ID token shape with typ at+jwt (aud = client id)",
                issuer.token().subject("user-1").audience(LogtoTestIssuer.DEFAULT_CLIENT_ID).claim("nonce", "n").sign(),
                invalidToken("token is not for this audience")));

        // ---- scope (RFC 9068 section 2.2.3)
        c.add(token("scope as an array", me().claim("scope", List.of("read:profile")).sign(),
                invalidToken("claim 'scope' must be a space-separated string")));

        // ---- the control: the same deployment lets a valid token through
        c.add(token("control: a valid token", valid, Expect.passes()));
        return c;
    }

    // ================================================================== running a case

    static Stream<Arguments> cases() throws Exception {
        List<Case> catalog = catalog();
        System.out.println("JWT attack catalog, " + catalog.size() + " cases on each container:");
        catalog.forEach(c -> System.out.println("  " + c));
        return running.stream().flatMap(d -> catalog.stream().map(c -> Arguments.of(d, c)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void attack(Deployment d, Case c) {
        int before = d.hits();
        Answer answer = RawHttp.send(d.container().port(), "GET /api/me HTTP/1.1", "Authorization: " + c.credentials());
        String token = c.credentials().substring("Bearer ".length());
        Expect e = c.expect();
        switch (e.kind()) {
            case FILTER -> {
                String challenge = e.status() == 400 ? Problems.invalidRequest(e.description())
                        : Problems.invalidToken(e.description());
                assertProblem(answer, e.status(), challenge, e.description(), token);
                assertEquals(before, d.hits(), "the application was reached");
            }
            case CONTAINER -> {
                int expected = d.name().equals("jetty") ? e.status() : e.tomcatStatus();
                assertEquals(expected, answer.status(), answer::toString);
                assertNull(answer.header("WWW-Authenticate"), "the filter answered, not the container");
                Problems.assertNoSecrets(answer, token);
                assertEquals(before, d.hits(), "the application was reached");
            }
            case PASS -> {
                assertEquals(200, answer.status(), answer::toString);
                assertEquals(before + 1, d.hits());
            }
        }
        c.check().run();
    }

    /**
     * Deep nesting beyond what fits in a request head: 10,000 and 100,000 nested arrays in a claim
     * (and in the header, where only the signature refuses it), through the verifier itself on a
     * thread with a 256 KiB stack (smaller than a container thread's). Refused, never a
     * {@link StackOverflowError}.
     */
    @Test
    void tenThousandNestedArraysNeverOverflowTheStack() throws Exception {
        SigningKey attacker = SigningKey.generate(KeyType.EC_P384);
        try (OrganizationTokenVerifier verifier = OrganizationTokenVerifier.builder()
                .logtoEndpoint(issuer.endpoint().toString()).maxTokenLength(1 << 20).build()) {
            for (int depth : new int[] {10_000, 100_000}) {
                String inClaim = deepClaim(me(), nestedArrays(depth)).sign();
                String inHeader = deepHeader(me().signedWith(attacker).kid(issuer.currentKey().kid()),
                        nestedArrays(depth)).sign();
                assertEquals(RejectionReason.INVALID_CLAIM, refusalOnSmallStack(verifier, inClaim));
                assertEquals(RejectionReason.BAD_SIGNATURE, refusalOnSmallStack(verifier, inHeader));
            }
        }
    }

    private static RejectionReason refusalOnSmallStack(OrganizationTokenVerifier verifier, String token)
            throws InterruptedException {
        Object[] outcome = new Object[1];
        Thread t = new Thread(null, () -> {
            try {
                verifier.verify(token, Requirements.audience(ORG_API));
                outcome[0] = "accepted";
            } catch (TokenRejectedException e) {
                outcome[0] = e.reason();
            } catch (Throwable e) {
                outcome[0] = e;
            }
        }, "small-stack", 256 * 1024);
        t.start();
        t.join();
        assertTrue(outcome[0] instanceof RejectionReason, () -> "outcome " + outcome[0]);
        return (RejectionReason) outcome[0];
    }

    // ================================================================== the table's types

    /** One catalog entry: a name, the {@code Authorization} value sent, the answer it must get. */
    record Case(String name, String credentials, Expect expect, Runnable check) {
        Case(String name, String credentials, Expect expect) {
            this(name, credentials, expect, () -> { });
        }

        Case then(Runnable afterwards) {
            return new Case(name, credentials, expect, afterwards);
        }

        @Override
        public String toString() {
            return name + " -> " + expect;
        }
    }

    /** What a case must get. */
    record Expect(Kind kind, int status, int tomcatStatus, String description) {
        enum Kind { FILTER, CONTAINER, PASS }

        static Expect containerRefuses(int jetty, int tomcat) {
            return new Expect(Kind.CONTAINER, jetty, tomcat, null);
        }

        static Expect passes() {
            return new Expect(Kind.PASS, 200, 200, null);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case FILTER -> status + (status == 400 ? " invalid_request" : " invalid_token") + " \"" + description + "\"";
                case CONTAINER -> "refused by the container (jetty " + status + ", tomcat " + tomcatStatus + ")";
                case PASS -> "200, reaches the application";
            };
        }
    }

    private static Expect invalidToken(String description) {
        return new Expect(Expect.Kind.FILTER, 401, 401, description);
    }

    private static Case token(String name, String token, Expect expect) {
        return new Case(name, "Bearer " + token, expect);
    }

    // ================================================================== token helpers

    /** A valid token for {@code /api/me}, to be spoiled by one change. */
    private static TokenBuilder me() {
        return issuer.globalApiToken("user-1", ORG_API, "read:profile");
    }

    /** A valid-looking token for our issuer and audience, signed with the attacker's issuer's key. */
    private static TokenBuilder attackers() {
        return attackersIssuer.globalApiToken("user-1", ORG_API, "read:profile").issuer(issuer.issuer());
    }

    private static String payloadWith(String claim, String rawValue) {
        String payload = me().removeClaim(claim).unsignedPayloadJson();
        return payload.substring(0, payload.length() - 1) + ",\"" + claim + "\":" + rawValue + "}";
    }

    /** The payload with a claim whose value holds these raw (non-UTF-8) bytes. */
    private static byte[] payloadBytes(String payload, int... raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(payload.substring(0, payload.length() - 1).getBytes(StandardCharsets.UTF_8));
        out.writeBytes(",\"name\":\"x".getBytes(StandardCharsets.UTF_8));
        for (int b : raw) {
            out.write(b);
        }
        out.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** A payload segment whose last character carries unused bits (length % 4 == 2). */
    private static String paddedPayloadSegment() {
        for (int pad = 0; ; pad++) {
            String segment = b64(me().claim("pad", "x".repeat(pad)).unsignedPayloadJson());
            if (segment.length() % 4 == 2) {
                return segment;
            }
        }
    }

    private static String withUnusedBits(String segment) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(segment.charAt(segment.length() - 1));
        return segment.substring(0, segment.length() - 1) + alphabet.charAt(last | 1);
    }

    /** Signs the text exactly as given with the issuer's key (ES384), as jose4j signs a JWS. */
    private static String signRaw(String signingInput) {
        try {
            Key key = issuer.currentKey().privateKey();
            JsonWebSignatureAlgorithm alg = AlgorithmFactoryFactory.getInstance().getJwsAlgorithmFactory()
                    .getAlgorithm("ES384");
            byte[] signature = alg.sign(alg.prepareForSign(key, new ProviderContext()),
                    signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64(signature);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String nestedArrays(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    /** The builder with a claim {@code deep} holding this JSON text (written raw, not through the testkit's JSON). */
    private static TokenBuilder deepClaim(TokenBuilder b, String json) {
        String payload = b.unsignedPayloadJson();
        return b.rawPayload(payload.substring(0, payload.length() - 1) + ",\"deep\":" + json + "}");
    }

    /** The builder with a header member {@code deep} holding this JSON text. */
    private static TokenBuilder deepHeader(TokenBuilder b, String json) {
        String header = b.headerJson();
        return b.rawHeader(header.substring(0, header.length() - 1) + ",\"deep\":" + json + "}");
    }

    private static byte[] uncompressedPoint(ECPublicKey key) {
        return concat(new byte[] {4}, octets(key.getW().getAffineX(), 48), octets(key.getW().getAffineY(), 48));
    }

    private static byte[] octets(BigInteger value, int size) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[size];
        int copy = Math.min(raw.length, size);
        System.arraycopy(raw, raw.length - copy, out, size - copy, copy);
        return out;
    }

    private static byte[] concat(byte[]... arrays) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] a : arrays) {
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    private static byte[] insert(byte[] bytes, int at, int value) {
        byte[] out = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, out, 0, at);
        out[at] = (byte) value;
        System.arraycopy(bytes, at, out, at + 1, bytes.length - at);
        return out;
    }

    private static String withoutLastChar(String s) {
        return s.substring(0, s.length() - 1);
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }
}
