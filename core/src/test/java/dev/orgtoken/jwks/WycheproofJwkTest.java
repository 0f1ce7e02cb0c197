package dev.orgtoken.jwks;

import dev.orgtoken.jws.Algorithm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.jwks.WycheproofVectors.Vector;
import dev.orgtoken.jws.CompactJws;
import dev.orgtoken.jws.JwsException;
import dev.orgtoken.jws.SignatureVerifier;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jose4j.json.JsonUtil;
import org.junit.jupiter.api.Test;

/**
 * Project Wycheproof's key-set vectors ({@code json_web_key_test.json}, 26 tests) through the
 * {@link KeySetParser} the verifier uses, then each vector's token through the JWS layer with the
 * keys the parser trusted.
 *
 * <p>What the README promises ("JWKS behaviour"): malformed keys are skipped and their neighbours
 * still load, duplicate kids are all ignored, EC points are checked to be on their curve, and a
 * key is skipped when it is symmetric, not for signatures, shorter than 2048 bits (RSA), or when
 * its {@code kty}, {@code crv} and {@code alg} do not fit together. Every vector's key set is read
 * twice, as published (the group's {@code public} set, or its {@code private} set when it has no
 * public one) and as the private set (private members are never read, so both must give the same
 * keys).
 *
 * <p>Wycheproof expects some whole key sets to be rejected (a set mixing a symmetric and an EC key,
 * tcId 1; duplicate kids, tcId 4). We follow the README instead: the unusable key is skipped and
 * the others load; the vector's token is still refused (HS256 is never accepted).
 *
 * <p>One vector showed the parser trusting a key it must not, fixed in {@link KeySetParser}:
 * tcId 7, a 2049-bit modulus with the ROCA fingerprint (CVE-2017-15361, Infineon-generated keys
 * whose primes can be recovered), which jose4j and the JDK load like any other key. tcId 9 (public
 * exponent 1, with which anyone could forge) was already safe: the JDK's key factory refuses an
 * exponent below 3, so the key is skipped as malformed.
 */
class WycheproofJwkTest {
    private static final String FILE = "json_web_key_test.json";
    private static final Set<Algorithm> ALL = EnumSet.allOf(Algorithm.class);

    /** The kids the parser must trust, per tcId; absent means none (the set is unusable). */
    private static final Map<Integer, Set<String>> TRUSTED = Map.of(
            1, Set.of("kid-ec-sign"),     // the oct key is skipped, the EC key loads
            5, Set.of("kid-rsa-sign"));   // the only valid asymmetric key set

    /** Why each vector's key set (or key) is not trusted, for the report. */
    private static final Map<Integer, String> WHY = Map.ofEntries(
            Map.entry(1, "oct key skipped; EC key trusted"),
            Map.entry(2, "symmetric keys"), Map.entry(3, "symmetric keys"),
            Map.entry(4, "symmetric keys (duplicate kid)"),
            Map.entry(5, "trusted"),
            Map.entry(6, "use enc"),
            Map.entry(7, "ROCA fingerprint"),
            Map.entry(8, "RSA 1024 bits"),
            Map.entry(9, "RSA e = 1"),
            Map.entry(10, "symmetric keys"), Map.entry(11, "symmetric keys"), Map.entry(12, "symmetric keys"),
            Map.entry(13, "symmetric keys"), Map.entry(14, "symmetric keys"), Map.entry(15, "symmetric keys"),
            Map.entry(16, "symmetric keys"), Map.entry(17, "symmetric keys"), Map.entry(18, "symmetric keys"),
            Map.entry(19, "alg ES521 on a P-256 key"),
            Map.entry(20, "alg ES224"),
            Map.entry(21, "use enc"),
            Map.entry(22, "point not on the curve"),
            Map.entry(23, "P-256 point declared P-384"),
            Map.entry(24, "kty RSA with EC members"),
            Map.entry(25, "AES key"), Map.entry(26, "AES key"));

    @Test
    void everyKeySetVector() {
        List<Vector> vectors = WycheproofVectors.vectors(FILE);
        List<String> wrong = new ArrayList<>();
        Map<String, Integer> why = new TreeMap<>();
        int tokensAccepted = 0;
        int tokensRefusedByPolicy = 0;
        int tokensRejected = 0;
        SignatureVerifier signatures = new SignatureVerifier(ALL, false, null);
        for (Vector v : vectors) {
            Object published = v.group().get("public") != null ? v.group().get("public") : v.group().get("private");
            Map<String, VerificationKey> trusted = WycheproofVectors.trustedKeys(WycheproofVectors.keySetJson(published), ALL);
            Map<String, VerificationKey> fromPrivate = WycheproofVectors.trustedKeys(
                    WycheproofVectors.keySetJson(v.group().get("private")), ALL);
            Set<String> expected = TRUSTED.getOrDefault(v.tcId(), Set.of());
            if (!trusted.keySet().equals(expected)) {
                wrong.add(v + ": trusted " + trusted.keySet() + ", expected " + expected + " (" + WHY.get(v.tcId()) + ")");
            }
            if (!fromPrivate.keySet().equals(trusted.keySet())) {
                wrong.add(v + ": the private set gives " + fromPrivate.keySet() + ", the public one " + trusted.keySet());
            }
            why.merge(WHY.get(v.tcId()), 1, Integer::sum);

            String outcome = throughJwsLayer(signatures, v.string("jws"), trusted);
            boolean symmetricToken = v.string("jws").startsWith("eyJhbGciOiJIUz");
            if (v.result().equals("valid") && !symmetricToken) {
                if (!outcome.equals("ACCEPTED")) {
                    wrong.add(v + ": a valid token was refused: " + outcome);
                }
                tokensAccepted++;
            } else if (v.result().equals("valid")) {
                if (!outcome.equals("UNSUPPORTED_ALGORITHM")) {
                    wrong.add(v + ": expected the HS* policy refusal, got " + outcome);
                }
                tokensRefusedByPolicy++;
            } else if (outcome.equals("ACCEPTED")) {
                wrong.add(v + ": an invalid vector's token was accepted");
            } else {
                tokensRejected++;
            }
        }
        System.out.printf("wycheproof %s: %d key sets; trusted keys as the README says for all (%s); tokens: "
                + "%d valid accepted, %d valid but refused by policy (HS*), %d invalid rejected, 0 invalid accepted%n",
                FILE, vectors.size(), why, tokensAccepted, tokensRefusedByPolicy, tokensRejected);
        assertTrue(wrong.isEmpty(), () -> wrong.size() + " vectors went wrong:\n" + String.join("\n", wrong));
        assertEquals(1, tokensAccepted);
        assertEquals(4, tokensRefusedByPolicy);
        assertEquals(21, tokensRejected);
    }

    /**
     * Wycheproof's duplicate-kid vector (tcId 4) uses symmetric keys, which are skipped before the
     * duplicate matters. The same shape with the vectors' asymmetric keys: two keys under one kid,
     * both ignored, their neighbour still trusted.
     */
    @Test
    @SuppressWarnings("unchecked")
    void duplicateKidWithAsymmetricKeys() throws Exception {
        List<Vector> vectors = WycheproofVectors.vectors(FILE);
        Map<String, Object> ec = null;
        Map<String, Object> rsa = null;
        for (Vector v : vectors) {
            if (v.tcId() == 1) {
                ec = new LinkedHashMap<>((Map<String, Object>) ((List<Object>) ((Map<String, Object>) v.group()
                        .get("private")).get("keys")).get(1));
            }
            if (v.tcId() == 5) {
                rsa = new LinkedHashMap<>((Map<String, Object>) ((List<Object>) ((Map<String, Object>) v.group()
                        .get("public")).get("keys")).get(0));
            }
        }
        Map<String, Object> rsaUnderEcKid = new LinkedHashMap<>(rsa);
        rsaUnderEcKid.put("kid", ec.get("kid"));
        rsaUnderEcKid.remove("alg");
        Map<String, Object> neighbour = new LinkedHashMap<>(rsa);
        neighbour.put("kid", "neighbour");
        String set = "{\"keys\":[" + JsonUtil.toJson(ec) + "," + JsonUtil.toJson(rsaUnderEcKid) + ","
                + JsonUtil.toJson(neighbour) + "]}";
        assertEquals(Set.of("neighbour"), WycheproofVectors.trustedKeys(set, ALL).keySet());
    }

    /**
     * Where each weak RSA key is stopped: jose4j with the JDK's key factory loads the ROCA key like
     * any other (only our fingerprint check refuses it), while the exponent-1 key never loads (the
     * JDK refuses e below 3, so the parser skips it as malformed).
     */
    @Test
    @SuppressWarnings("unchecked")
    void whereTheWeakRsaKeysAreStopped() throws Exception {
        for (Vector v : WycheproofVectors.vectors(FILE)) {
            if (v.tcId() != 7 && v.tcId() != 9) {
                continue;
            }
            Map<String, Object> jwk = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) v.group()
                    .get("public")).get("keys")).get(0);
            if (v.tcId() == 7) {
                java.security.PublicKey key = org.jose4j.jwk.PublicJsonWebKey.Factory.newPublicJwk(jwk).getPublicKey();
                assertTrue(key instanceof java.security.interfaces.RSAPublicKey);
                assertTrue(KeySetParser.hasRocaFingerprint(modulus(v)));
            } else {
                org.junit.jupiter.api.Assertions.assertThrows(org.jose4j.lang.JoseException.class,
                        () -> org.jose4j.jwk.PublicJsonWebKey.Factory.newPublicJwk(jwk));
            }
            assertEquals(Map.of(), WycheproofVectors.trustedKeys(WycheproofVectors.keySetJson(v.group().get("public")),
                    ALL), v::toString);
        }
    }

    /** The fingerprint check does not flag ordinary keys, and flags the vector's. */
    @Test
    void ordinaryRsaKeysAreNotFlaggedAsRoca() {
        for (int i = 0; i < 5; i++) {
            java.security.interfaces.RSAPublicKey key = (java.security.interfaces.RSAPublicKey)
                    dev.orgtoken.testkit.SigningKey.generate(dev.orgtoken.testkit.KeyType.RSA_2048).publicKey();
            assertTrue(!KeySetParser.hasRocaFingerprint(key.getModulus()), "a fresh JDK key is flagged");
        }
        // The vector's modulus is.
        BigInteger roca = null;
        for (Vector v : WycheproofVectors.vectors(FILE)) {
            if (v.tcId() == 7) {
                roca = modulus(v);
            }
        }
        assertTrue(KeySetParser.hasRocaFingerprint(roca));
    }

    @SuppressWarnings("unchecked")
    private static BigInteger modulus(Vector v) {
        Map<String, Object> key = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) v.group().get("public"))
                .get("keys")).get(0);
        return new BigInteger(1, java.util.Base64.getUrlDecoder().decode((String) key.get("n")));
    }

    private static String throughJwsLayer(SignatureVerifier signatures, String token, Map<String, VerificationKey> keys) {
        try {
            CompactJws jws = CompactJws.parse(token, 1 << 20);
            Algorithm alg = signatures.checkHeader(jws);
            VerificationKey key = keys.get(jws.keyId());
            if (key == null) {
                return "NO_TRUSTED_KEY";
            }
            signatures.verify(jws, alg, key.publicKey(), key.declaredAlgorithm());
            return "ACCEPTED";
        } catch (JwsException e) {
            return e.failure().name();
        }
    }
}
