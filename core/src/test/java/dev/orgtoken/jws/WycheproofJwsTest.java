package dev.orgtoken.jws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.RejectionReason;
import dev.orgtoken.Requirements;
import dev.orgtoken.TokenRejectedException;
import dev.orgtoken.jwks.VerificationKey;
import dev.orgtoken.jwks.WycheproofVectors;
import dev.orgtoken.jwks.WycheproofVectors.Vector;
import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.jose4j.jca.ProviderContext;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwa.AlgorithmFactoryFactory;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.JsonWebSignatureAlgorithm;
import org.junit.jupiter.api.Test;

/**
 * Project Wycheproof's JWS vectors ({@code json_web_signature_test.json}, 401 tests) through our
 * JWS layer and through the whole verifier, plus the file's Base64 mutations re-applied to our own
 * ES384 tokens.
 *
 * <h2>The JWS layer</h2>
 * Each vector goes through exactly what {@link OrganizationTokenVerifier} runs on a token, minus
 * the claims: {@link CompactJws#parse}, {@link SignatureVerifier#checkHeader} (allow-list = every
 * {@link Algorithm}, {@code typ} not required since the vectors are not access tokens), the key
 * for the token's {@code kid} as our JWKS parser would trust it from the group's JWK (so a key
 * marked {@code use: enc} or with {@code key_ops} lacking {@code verify} is not trusted, as in
 * production), then {@link SignatureVerifier#verify}. Expected:
 * <ul>
 *   <li>every {@code valid} vector of an asymmetric algorithm is accepted;</li>
 *   <li>every {@code invalid} vector is rejected;</li>
 *   <li><b>valid but refused by policy</b>, counted apart (24 of the 46 valid vectors):
 *     <ul>
 *       <li>the 8 {@code valid} vectors of the symmetric groups (HS256, keyed with an {@code oct}
 *           JWK): we never accept a MAC, whatever the key;</li>
 *       <li>tcId 347 and 351 (RFC 7520 figure 27, ES512): Wycheproof's JWK says
 *           {@code "alg": "ES521"}, which is no JWA name; our key-set parser does not trust a key
 *           whose {@code alg} it cannot honour;</li>
 *       <li>tcId 346 and 350 (RFC 7520 figure 20): a PS384 token, but the JWK declares
 *           {@code "alg": "PS256"}; we hold a key to its declared algorithm (the same rule that
 *           makes Wycheproof's own tcId 331 to 340 invalid, so the file is not consistent here);</li>
 *       <li>the 6 vectors with an empty payload and the 6 whose payload is not UTF-8 (bytes
 *           {@code E0..FF}): a JWS may carry those, a JWT cannot, and {@link CompactJws} refuses them
 *           as malformed.</li>
 *     </ul>
 *     For the four key-policy cases the test proves the signature itself verifies with the raw
 *     key, so the refusal is the policy, not the crypto;</li>
 *   <li>tcId 372 and 373 are labelled {@code valid} but carry a {@code ?} inside a segment; as the
 *       corpus README says, a strict verifier rejects them (we do, as malformed);</li>
 *   <li>tcId 367 and 370 ({@code invalidBase64Padding...}) are byte-identical to the valid tcId
 *       357 in this copy of the file: the padding their comments describe is missing from the
 *       data. They are HS256, so refused anyway; the padding mutation they meant is applied to our
 *       ES384 token in {@link #base64MutationsOfOurOwnEs384Token()}.</li>
 * </ul>
 *
 * <h2>The whole verifier</h2>
 * The same vectors go through {@link OrganizationTokenVerifier} with the group's key served as the
 * JWKS by a {@link LogtoTestIssuer} ({@code respondWithBody}), {@code requireAccessTokenType(false)},
 * every algorithm allowed. Our verifier reads the claims <em>before</em> it checks the signature
 * (an expired token never costs a signature check), and no Wycheproof payload is a JWT claims set
 * ({@code "foo"}, {@code "123400"}, RFC 7520's prose, empty), so no vector can reach the signature
 * check there: that is what the run asserts, in three parts:
 * <ol>
 *   <li>nothing is accepted, and only {@link TokenRejectedException} comes out;</li>
 *   <li>no vector is refused with a reason that only exists after a successful signature check
 *       ({@code WRONG_AUDIENCE}, {@code MISSING_ORGANIZATION}, {@code WRONG_ORGANIZATION},
 *       {@code MISSING_SCOPES}): no vector, valid or invalid, gets past the signature;</li>
 *   <li>a vector the JWS layer refused in parsing or in the header is refused by the verifier for
 *       the same reason (so the pipelines agree), and every other vector stops at the payload
 *       ({@code MALFORMED_TOKEN}, "token payload is not a JSON object").</li>
 * </ol>
 * So that this is not vacuous, {@link #vectorKeysVerifyRealTokensThroughTheWholeVerifier()} signs
 * genuine access tokens with each group's private key and shows the same set-up accepts them
 * (and refuses the keys marked for encryption).
 */
class WycheproofJwsTest {
    private static final String FILE = "json_web_signature_test.json";
    private static final Set<Algorithm> ALL = EnumSet.allOf(Algorithm.class);
    private static final SignatureVerifier SIGNATURES = new SignatureVerifier(ALL, false, null);
    private static final String ACCEPTED = "ACCEPTED";
    private static final String NO_TRUSTED_KEY = "NO_TRUSTED_KEY";
    /** RFC 7520 figure 27 with a JWK whose alg is "ES521". */
    private static final Set<Integer> UNREGISTERED_KEY_ALG = Set.of(347, 351);
    /** RFC 7520 figure 20 (PS384) with a JWK that declares "alg": "PS256". */
    private static final Set<Integer> OTHER_KEY_ALG = Set.of(346, 350);
    /** Labelled valid, but with an invalid character inside a segment (corpus README). */
    private static final Set<Integer> LABELLED_VALID_EXPECTED_REJECTED = Set.of(372, 373);
    /** Reasons that exist only after the signature verified. */
    private static final Set<RejectionReason> AFTER_SIGNATURE = EnumSet.of(RejectionReason.WRONG_AUDIENCE,
            RejectionReason.MISSING_ORGANIZATION, RejectionReason.WRONG_ORGANIZATION, RejectionReason.MISSING_SCOPES);
    private static final String AUDIENCE = "https://api.example.com/org";

    @Test
    void everyVectorThroughTheJwsLayer() throws Exception {
        List<Vector> vectors = WycheproofVectors.vectors(FILE);
        List<String> wrong = new ArrayList<>();
        int accepted = 0;
        int rejected = 0;
        int labelledValidRejected = 0;
        Map<String, Integer> refusedByPolicy = new TreeMap<>();
        Map<String, Integer> invalidBy = new TreeMap<>();
        for (Vector v : vectors) {
            String token = token(v);
            String outcome = throughJwsLayer(token, keySet(v));
            if (v.result().equals("invalid")) {
                if (outcome.equals(ACCEPTED)) {
                    wrong.add(v + ": an invalid vector was accepted");
                } else {
                    rejected++;
                    invalidBy.merge(outcome, 1, Integer::sum);
                }
                continue;
            }
            if (LABELLED_VALID_EXPECTED_REJECTED.contains(v.tcId())) {
                expect(wrong, v, "MALFORMED", outcome);
                labelledValidRejected++;
                continue;
            }
            String[] policy = policyRefusal(v, token);
            if (policy == null) {
                expect(wrong, v, ACCEPTED, outcome);
                if (outcome.equals(ACCEPTED)) {
                    accepted++;
                }
                continue;
            }
            expect(wrong, v, policy[0], outcome);
            refusedByPolicy.merge(policy[1], 1, Integer::sum);
            if (UNREGISTERED_KEY_ALG.contains(v.tcId()) || OTHER_KEY_ALG.contains(v.tcId())) {
                // The crypto is fine: with the raw key and no declared algorithm it verifies.
                CompactJws jws = CompactJws.parse(token, 1 << 20);
                SIGNATURES.verify(jws, SIGNATURES.checkHeader(jws), rawPublicKey(v), null);
            }
        }
        int policyTotal = refusedByPolicy.values().stream().mapToInt(Integer::intValue).sum();
        long valid = vectors.stream().filter(v -> v.result().equals("valid")).count();
        System.out.printf("wycheproof %s (JWS layer): %d vectors; valid %d = %d accepted + %d valid but refused by "
                + "policy %s + %d labelled valid, rejected as the corpus README says (tcId 372, 373); invalid %d: "
                + "%d rejected, 0 accepted (by failure: %s)%n", FILE, vectors.size(), valid, accepted, policyTotal,
                refusedByPolicy, labelledValidRejected, vectors.size() - valid, rejected, invalidBy);
        assertTrue(wrong.isEmpty(), () -> wrong.size() + " vectors went wrong:\n" + String.join("\n", wrong));
        assertEquals(401, vectors.size());
        assertEquals(355, rejected);
        assertEquals(valid, accepted + policyTotal + labelledValidRejected);
    }

    /**
     * Why a {@code valid} vector is refused by design, or null when it must be accepted.
     *
     * @return {expected JWS-layer outcome, label}
     */
    private static String[] policyRefusal(Vector v, String token) {
        if (symmetric(v)) {
            return new String[] {"UNSUPPORTED_ALGORITHM", "HS256 (symmetric: never accepted)"};
        }
        if (UNREGISTERED_KEY_ALG.contains(v.tcId())) {
            return new String[] {NO_TRUSTED_KEY, "JWK alg ES521 is no JWA name (key not trusted)"};
        }
        if (OTHER_KEY_ALG.contains(v.tcId())) {
            return new String[] {"KEY_MISMATCH", "JWK alg PS256 but token PS384"};
        }
        String[] parts = token.split("\\.", -1);
        byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
        if (payload.length == 0) {
            return new String[] {"MALFORMED", "empty payload (a JWS may have one, a JWT cannot)"};
        }
        if (!isUtf8(payload)) {
            return new String[] {"MALFORMED", "payload not UTF-8 (a JWT's payload is UTF-8 JSON)"};
        }
        return null;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void everyVectorThroughTheWholeVerifier() throws Exception {
        List<Vector> vectors = WycheproofVectors.vectors(FILE);
        List<String> wrong = new ArrayList<>();
        Map<RejectionReason, Integer> reasons = new TreeMap<>();
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
            Map<Object, List<Vector>> byGroup = new LinkedHashMap<>();
            vectors.forEach(v -> byGroup.computeIfAbsent(v.group(), g -> new ArrayList<>()).add(v));
            for (List<Vector> group : byGroup.values()) {
                issuer.respondWithBody("application/json", keySet(group.get(0)));
                try (OrganizationTokenVerifier verifier = verifierFor(issuer)) {
                    for (Vector v : group) {
                        String token = token(v);
                        String layer = throughJwsLayer(token, keySet(v));
                        try {
                            verifier.verify(token, Requirements.audience(AUDIENCE));
                            wrong.add(v + ": accepted by the whole verifier");
                            continue;
                        } catch (TokenRejectedException e) {
                            reasons.merge(e.reason(), 1, Integer::sum);
                            if (AFTER_SIGNATURE.contains(e.reason())) {
                                wrong.add(v + ": got past the signature (" + e.reason() + ")");
                            }
                            RejectionReason before = beforeKeyLookup(layer);
                            if (before != null && before != e.reason()) {
                                wrong.add(v + ": JWS layer said " + layer + ", verifier " + e.reason());
                            }
                            if (before == null && !(e.reason() == RejectionReason.MALFORMED_TOKEN
                                    && e.getMessage().equals("token payload is not a JSON object"))) {
                                wrong.add(v + ": expected to stop at the payload, got " + e.reason() + " "
                                        + e.getMessage());
                            }
                        } catch (RuntimeException e) {
                            wrong.add(v + ": threw " + e);
                        }
                    }
                }
            }
        }
        System.out.printf("wycheproof %s (whole verifier): %d vectors, 0 accepted, none past the signature; "
                + "refusals by reason: %s%n", FILE, vectors.size(), reasons);
        assertTrue(wrong.isEmpty(), () -> wrong.size() + " vectors went wrong:\n" + String.join("\n", wrong));
    }

    /**
     * The positive control for the run above: genuine access tokens signed with each group's
     * private key pass the same verifier set-up, except for the keys marked for encryption, which
     * never load (tcId 353 to 356 rely on that).
     */
    @Test
    void vectorKeysVerifyRealTokensThroughTheWholeVerifier() throws Exception {
        List<Vector> vectors = WycheproofVectors.vectors(FILE);
        Map<Object, Vector> firstOfGroup = new LinkedHashMap<>();
        vectors.forEach(v -> firstOfGroup.putIfAbsent(v.group(), v));
        int signedAndAccepted = 0;
        int wrongUseRefused = 0;
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
            for (Vector v : firstOfGroup.values()) {
                Map<String, Object> privateJwk = jwk(v.group().get("private"));
                if (symmetric(v)) {
                    continue;
                }
                PublicJsonWebKey pair = PublicJsonWebKey.Factory.newPublicJwk(privateJwk);
                String alg = privateJwk.get("alg") instanceof String s && Algorithm.named(s).isPresent() ? s
                        : CompactJws.parse(token(v), 1 << 20).algorithm();
                String kid = (String) privateJwk.get("kid");
                String token = issuer.globalApiToken("user-1", AUDIENCE).signedWith(pair.getPrivateKey(), alg)
                        .kid(kid).sign();
                issuer.respondWithBody("application/json", keySet(v));
                Map<String, Object> served = jwk(v.group().get("public"));
                boolean forEncryption = !"sig".equals(served.getOrDefault("use", "sig"))
                        || served.get("key_ops") instanceof List<?> ops && !ops.contains("verify");
                try (OrganizationTokenVerifier verifier = verifierFor(issuer)) {
                    if (forEncryption || UNREGISTERED_KEY_ALG.contains(v.tcId())) {
                        TokenRejectedException e = org.junit.jupiter.api.Assertions.assertThrows(
                                TokenRejectedException.class, () -> verifier.verify(token, Requirements.audience(AUDIENCE)),
                                () -> v + ": a key we must not trust verified a token");
                        // The set holds no usable key: the issuer trusts none, so the kid is unknown.
                        assertEquals(RejectionReason.UNKNOWN_KEY, e.reason(), v::toString);
                        wrongUseRefused++;
                    } else {
                        assertEquals("user-1", verifier.verify(token, Requirements.audience(AUDIENCE)).subject(),
                                v::toString);
                        signedAndAccepted++;
                    }
                }
            }
        }
        System.out.printf("wycheproof %s (vector keys, real tokens): %d keys verified a real access token; "
                + "%d keys never loaded (4 for encryption, 2 with alg ES521)%n", FILE, signedAndAccepted, wrongUseRefused);
        assertEquals(6, wrongUseRefused);
        assertTrue(signedAndAccepted >= 10, "signedAndAccepted " + signedAndAccepted);
    }

    /**
     * The corpus's Base64 group (tcId 357 to 377) is keyed for HS256, which we never accept, so its
     * mutations are applied here to a real ES384 token from our issuer and run through the whole
     * verifier. Only the control and the two "whitespace inside the JSON header" tokens (re-signed)
     * may pass; every encoding mutation is malformed. The HMAC edge cases (358, 359: a MAC starting
     * with {@code AAAA} or {@code ____}) have no ECDSA counterpart and are not re-applied.
     */
    @Test
    void base64MutationsOfOurOwnEs384Token() throws Exception {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start();
                LogtoTestIssuer p256 = LogtoTestIssuer.builder().keyType(KeyType.EC_P256).build();
                OrganizationTokenVerifier verifier = OrganizationTokenVerifier.builder()
                        .logtoEndpoint(issuer.endpoint().toString()).build();
                OrganizationTokenVerifier p256Verifier = OrganizationTokenVerifier.builder()
                        .logtoEndpoint(p256.endpoint().toString()).build()) {
            // A payload whose length leaves unused bits in its last base64 character.
            String good = signedWithUnusedBits(issuer);
            String[] s = good.split("\\.");
            Key key = issuer.currentKey().privateKey();
            String header = issuer.globalApiToken("user-1", AUDIENCE).headerJson();

            Map<String, String> accepted = new LinkedHashMap<>();
            accepted.put("357 control: the token as signed", good);
            accepted.put("376 spaces in the JSON header, re-signed", issuer.globalApiToken("user-1", AUDIENCE)
                    .rawHeader(header.replace("{", "{ ").replace(":", " : ").replace(",", " , ").replace("}", " }"))
                    .sign());
            accepted.put("377 newline and tab in the JSON header, re-signed", issuer.globalApiToken("user-1", AUDIENCE)
                    .rawHeader(header.replace(",", ",\n\t")).sign());

            Map<String, String> malformed = new LinkedHashMap<>();
            malformed.put("360 spaces in the signature", s[0] + "." + s[1] + ".    " + s[2]);
            malformed.put("361 '?' before the signature", s[0] + "." + s[1] + ".?" + s[2]);
            malformed.put("362 '?' after the signature", s[0] + "." + s[1] + "." + s[2] + "?");
            malformed.put("363 first signature character replaced by '?'", s[0] + "." + s[1] + ".?" + s[2].substring(1));
            malformed.put("364 four signature characters replaced by '?'", s[0] + "." + s[1] + ".????" + s[2].substring(4));
            malformed.put("365 spaces after the header", s[0] + "    ." + s[1] + "." + s[2]);
            malformed.put("366 '#' after the header", s[0] + "####." + s[1] + "." + s[2]);
            malformed.put("367 base64 padding on the signature", s[0] + "." + s[1] + "." + s[2] + "==");
            malformed.put("367 base64 padding on the header", padded(s[0]) + "." + s[1] + "." + s[2]);
            malformed.put("368 spaces in the payload", s[0] + ".    " + s[1] + "." + s[2]);
            malformed.put("369 '#' in the payload", s[0] + ".####" + s[1] + "." + s[2]);
            malformed.put("370 base64 padding on the payload", s[0] + "." + padded(s[1]) + "." + s[2]);
            malformed.put("371 '?' before the payload", s[0] + ".?" + s[1] + "." + s[2]);
            malformed.put("372 '?' inside the header", s[0].substring(0, s[0].length() - 1) + "?"
                    + s[0].substring(s[0].length() - 1) + "." + s[1] + "." + s[2]);
            malformed.put("373 '?' after the payload", s[0] + "." + s[1] + "?." + s[2]);
            malformed.put("standard base64 alphabet ('+' and '/')", s[0] + "." + s[1] + "."
                    + "+/" + s[2].substring(2));
            // 374: non-zero unused bits, and the signature covers the modified text (a lenient
            // decoder accepts it: two spellings of one token).
            String modified = withUnusedBits(s[1]);
            malformed.put("374 non-zero unused bits in the payload, signed as sent",
                    signRaw(s[0] + "." + modified, key, "ES384"));
            String modifiedHeader = withUnusedBits(s[0]);
            if (!modifiedHeader.equals(s[0])) {
                malformed.put("374 non-zero unused bits in the header, signed as sent",
                        signRaw(modifiedHeader + "." + s[1], key, "ES384"));
            }
            // 375: signed over the canonical text, sent with modified unused bits.
            malformed.put("375 non-zero unused bits in the payload, signature over the canonical text",
                    s[0] + "." + modified + "." + s[2]);

            for (Map.Entry<String, String> c : accepted.entrySet()) {
                assertEquals("user-1", verifier.verify(c.getValue(), Requirements.audience(AUDIENCE)).subject(),
                        c.getKey());
            }
            for (Map.Entry<String, String> c : malformed.entrySet()) {
                assertRejected(verifier, c.getValue(), c.getKey(), RejectionReason.MALFORMED_TOKEN);
            }

            // ES384's 96-byte signature has no unused bits; ES256's 64-byte one has four.
            String es256 = p256.globalApiToken("user-1", AUDIENCE).sign();
            assertEquals("user-1", p256Verifier.verify(es256, Requirements.audience(AUDIENCE)).subject());
            String[] e = es256.split("\\.");
            String sigWithUnusedBits = withUnusedBits(e[2]);
            assertFalse(sigWithUnusedBits.equals(e[2]));
            assertRejected(p256Verifier, e[0] + "." + e[1] + "." + sigWithUnusedBits,
                    "non-zero unused bits in an ES256 signature (same signature bytes)", RejectionReason.MALFORMED_TOKEN);
            System.out.printf("wycheproof %s Base64 group re-applied to our tokens: %d accepted as expected, "
                    + "%d mutations rejected as malformed%n", FILE, accepted.size(), malformed.size() + 1);
        }
    }

    /**
     * The ECDSA P1363 "incorrect size of signature" vectors (ES384 tcId 153 to 179) re-applied to
     * a token: jose4j refuses only signatures longer than 96 octets, so before the length check in
     * {@link SignatureVerifier} a valid signature whose R and S both start with zero octets also
     * verified with those octets dropped. A key is derived for a chosen small R and S over our
     * token's signing input (the way Wycheproof builds its "small r and s" vectors), then the
     * 96-octet signature must pass and every shortened spelling must fail.
     */
    @Test
    void ecdsaSignaturesOfTheWrongLengthAreRefused() throws Exception {
        try (LogtoTestIssuer issuer = LogtoTestIssuer.start()) {
            String signingInput = issuer.globalApiToken("user-1", AUDIENCE).kid("crafted").headerJson();
            signingInput = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(signingInput.getBytes(StandardCharsets.UTF_8)) + "."
                    + issuer.globalApiToken("user-1", AUDIENCE).sign().split("\\.")[1];
            SmallSignature crafted = SmallSignature.forInput(signingInput.getBytes(StandardCharsets.US_ASCII));
            issuer.respondWithBody("application/json", "{\"keys\":[" + crafted.jwk("crafted") + "]}");
            try (OrganizationTokenVerifier verifier = OrganizationTokenVerifier.builder()
                    .logtoEndpoint(issuer.endpoint().toString()).build()) {
                String full = signingInput + "." + b64(crafted.signature(48));
                assertEquals("user-1", verifier.verify(full, Requirements.audience(AUDIENCE)).subject(),
                        "the 96-octet signature is valid");
                for (int size : new int[] {1, 2, 16, 47}) {
                    String shortened = signingInput + "." + b64(crafted.signature(size));
                    assertRejected(verifier, shortened, (2 * size) + "-octet spelling of the same signature",
                            RejectionReason.BAD_SIGNATURE);
                }
                // Longer, with R and S zero-extended: jose4j already refused these.
                assertRejected(verifier, signingInput + "." + b64(crafted.signature(49)), "98-octet spelling",
                        RejectionReason.BAD_SIGNATURE);
            }
        }
    }

    /** A P-384 public key made for one small (r, s) over one message: Q = r^-1 (sR - eG). */
    private record SmallSignature(java.math.BigInteger r, java.math.BigInteger s, java.security.spec.ECPoint q) {
        private static final java.security.spec.ECParameterSpec P384 = org.jose4j.keys.EllipticCurves.P384;
        private static final java.math.BigInteger P = ((java.security.spec.ECFieldFp) P384.getCurve().getField()).getP();

        static SmallSignature forInput(byte[] message) throws Exception {
            java.math.BigInteger n = P384.getOrder();
            java.math.BigInteger e = new java.math.BigInteger(1,
                    java.security.MessageDigest.getInstance("SHA-384").digest(message));
            for (java.math.BigInteger r = java.math.BigInteger.valueOf(2); ; r = r.add(java.math.BigInteger.ONE)) {
                java.math.BigInteger rhs = r.pow(3).add(P384.getCurve().getA().multiply(r)).add(P384.getCurve().getB())
                        .mod(P);
                java.math.BigInteger y = rhs.modPow(P.add(java.math.BigInteger.ONE).shiftRight(2), P);
                if (!y.multiply(y).mod(P).equals(rhs)) {
                    continue;   // no point with x = r
                }
                java.math.BigInteger s = java.math.BigInteger.valueOf(3);
                java.security.spec.ECPoint sR = multiply(new java.security.spec.ECPoint(r, y), s);
                java.security.spec.ECPoint minusEG = multiply(P384.getGenerator(), n.subtract(e.mod(n)));
                return new SmallSignature(r, s, multiply(add(sR, minusEG), r.modInverse(n)));
            }
        }

        /** R and S, each written in {@code size} octets (zero-extended or with leading zeros dropped). */
        byte[] signature(int size) {
            byte[] out = new byte[2 * size];
            put(r, out, 0, size);
            put(s, out, size, size);
            return out;
        }

        String jwk(String kid) {
            return "{\"kty\":\"EC\",\"use\":\"sig\",\"kid\":\"" + kid + "\",\"alg\":\"ES384\",\"crv\":\"P-384\","
                    + "\"x\":\"" + b64(fixed(q.getAffineX())) + "\",\"y\":\"" + b64(fixed(q.getAffineY())) + "\"}";
        }

        private static byte[] fixed(java.math.BigInteger v) {
            byte[] out = new byte[48];
            put(v, out, 0, 48);
            return out;
        }

        private static void put(java.math.BigInteger v, byte[] out, int offset, int size) {
            byte[] raw = v.toByteArray();
            int start = 0;
            while (start < raw.length - 1 && raw[start] == 0) {
                start++;
            }
            int len = raw.length - start;
            if (len > size) {
                throw new IllegalStateException("value does not fit in " + size + " octets");
            }
            System.arraycopy(raw, start, out, offset + size - len, len);
        }

        private static java.security.spec.ECPoint multiply(java.security.spec.ECPoint point, java.math.BigInteger k) {
            java.security.spec.ECPoint result = java.security.spec.ECPoint.POINT_INFINITY;
            for (int i = k.bitLength() - 1; i >= 0; i--) {
                result = add(result, result);
                if (k.testBit(i)) {
                    result = add(result, point);
                }
            }
            return result;
        }

        private static java.security.spec.ECPoint add(java.security.spec.ECPoint a, java.security.spec.ECPoint b) {
            if (a.equals(java.security.spec.ECPoint.POINT_INFINITY)) {
                return b;
            }
            if (b.equals(java.security.spec.ECPoint.POINT_INFINITY)) {
                return a;
            }
            java.math.BigInteger x1 = a.getAffineX();
            java.math.BigInteger y1 = a.getAffineY();
            java.math.BigInteger x2 = b.getAffineX();
            java.math.BigInteger y2 = b.getAffineY();
            java.math.BigInteger lambda;
            if (x1.equals(x2)) {
                if (!y1.equals(y2) || y1.signum() == 0) {
                    return java.security.spec.ECPoint.POINT_INFINITY;
                }
                lambda = x1.pow(2).multiply(java.math.BigInteger.valueOf(3)).add(P384.getCurve().getA())
                        .multiply(y1.shiftLeft(1).modInverse(P)).mod(P);
            } else {
                lambda = y2.subtract(y1).multiply(x2.subtract(x1).modInverse(P)).mod(P);
            }
            java.math.BigInteger x3 = lambda.pow(2).subtract(x1).subtract(x2).mod(P);
            java.math.BigInteger y3 = lambda.multiply(x1.subtract(x3)).subtract(y1).mod(P);
            return new java.security.spec.ECPoint(x3, y3);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    // ------------------------------------------------------------------ helpers

    /** Runs the JWS layer as the verifier does, minus the claims. */
    static String throughJwsLayer(String token, String keySetJson) {
        try {
            CompactJws jws = CompactJws.parse(token, 1 << 20);
            Algorithm alg = SIGNATURES.checkHeader(jws);
            VerificationKey key = WycheproofVectors.trustedKeys(keySetJson, ALL).get(jws.keyId());
            if (key == null) {
                return NO_TRUSTED_KEY;
            }
            SIGNATURES.verify(jws, alg, key.publicKey(), key.declaredAlgorithm());
            return ACCEPTED;
        } catch (JwsException e) {
            return e.failure().name();
        }
    }

    /** The verifier's reason for a JWS-layer refusal that happens before any key is looked up. */
    private static RejectionReason beforeKeyLookup(String layerOutcome) {
        return switch (layerOutcome) {
            case "MALFORMED", "MISSING_KEY_ID" -> RejectionReason.MALFORMED_TOKEN;
            case "TOO_LARGE" -> RejectionReason.TOKEN_TOO_LARGE;
            case "UNSUPPORTED_ALGORITHM" -> RejectionReason.UNSUPPORTED_ALGORITHM;
            case "UNSUPPORTED_HEADER" -> RejectionReason.UNSUPPORTED_HEADER;
            case "WRONG_TYPE" -> RejectionReason.WRONG_TYPE;
            default -> null;
        };
    }

    private static OrganizationTokenVerifier verifierFor(LogtoTestIssuer issuer) {
        return OrganizationTokenVerifier.builder()
                .issuers(issuer.issuer())
                .jwksUri(issuer.jwksUri().toString())
                .requireAccessTokenType(false)
                .allowedAlgorithms(dev.orgtoken.JwsAlgorithm.values())
                .jwksRefreshCooldown(Duration.ZERO)
                .build();
    }

    private static void expect(List<String> wrong, Vector v, String expected, String outcome) {
        if (!expected.equals(outcome)) {
            wrong.add(v + ": expected " + expected + ", got " + outcome);
        }
    }

    private static void assertRejected(OrganizationTokenVerifier verifier, String token, String name,
            RejectionReason reason) {
        try {
            verifier.verify(token, Requirements.audience(AUDIENCE));
        } catch (TokenRejectedException e) {
            assertEquals(reason, e.reason(), () -> name + ": " + e.getMessage());
            return;
        }
        throw new AssertionError(name + ": accepted");
    }

    /** A vector's token as a string (tcId 17 is a JSON serialization object). */
    @SuppressWarnings("unchecked")
    static String token(Vector v) {
        Object jws = v.test().get("jws");
        return jws instanceof String s ? s : JsonUtil.toJson((Map<String, Object>) jws);
    }

    /** The group's public key (or its private JWK when it has no public one) as a JWKS document. */
    static String keySet(Vector v) {
        Object key = v.group().get("public") != null ? v.group().get("public") : v.group().get("private");
        return WycheproofVectors.keySetJson(key);
    }

    private static boolean symmetric(Vector v) {
        return "oct".equals(jwk(v.group().get("private")).get("kty"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jwk(Object o) {
        return (Map<String, Object>) o;
    }

    private static java.security.PublicKey rawPublicKey(Vector v) throws Exception {
        return PublicJsonWebKey.Factory.newPublicJwk(jwk(v.group().get("public"))).getPublicKey();
    }

    /** A token from the issuer whose payload's encoding ends in a character with unused bits. */
    private static String signedWithUnusedBits(LogtoTestIssuer issuer) {
        for (int pad = 0; ; pad++) {
            String token = issuer.globalApiToken("user-1", AUDIENCE).claim("pad", "x".repeat(pad)).sign();
            String payload = token.split("\\.")[1];
            if (payload.length() % 4 == 2) {
                return token;
            }
        }
    }

    /** Sets the lowest unused bit of the segment's last character, when it has unused bits. */
    static String withUnusedBits(String segment) {
        int unusedBits = switch (segment.length() % 4) {
            case 2 -> 4;
            case 3 -> 2;
            default -> 0;
        };
        if (unusedBits == 0) {
            return segment;
        }
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(segment.charAt(segment.length() - 1));
        char changed = alphabet.charAt(last | 1);
        UnaryOperator<String> replaceLast = x -> x.substring(0, x.length() - 1) + changed;
        String out = replaceLast.apply(segment);
        // Same bytes, different text.
        assertEquals(java.util.Arrays.toString(Base64.getUrlDecoder().decode(segment)),
                java.util.Arrays.toString(Base64.getUrlDecoder().decode(out)));
        return out;
    }

    private static String padded(String segment) {
        return segment + "=".repeat((4 - segment.length() % 4) % 4 == 0 ? 1 : (4 - segment.length() % 4) % 4);
    }

    /** Signs an arbitrary signing input, exactly as given, the way jose4j signs a JWS. */
    static String signRaw(String signingInput, Key key, String algorithm) throws Exception {
        JsonWebSignatureAlgorithm alg = AlgorithmFactoryFactory.getInstance().getJwsAlgorithmFactory()
                .getAlgorithm(algorithm);
        byte[] signature = alg.sign(alg.prepareForSign(key, new ProviderContext()),
                signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    }
}
