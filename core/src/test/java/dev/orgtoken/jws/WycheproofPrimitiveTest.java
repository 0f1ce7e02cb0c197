package dev.orgtoken.jws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.jwks.WycheproofVectors;
import dev.orgtoken.jwks.WycheproofVectors.Vector;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jose4j.jca.ProviderContext;
import org.jose4j.jwa.AlgorithmFactoryFactory;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.JsonWebSignatureAlgorithm;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Project Wycheproof's primitive vectors for the algorithms Logto signs with: ES384
 * ({@code ecdsa_secp384r1_sha384_p1363_test.json}), ES256 ({@code ..._secp256r1_sha256_p1363...})
 * and RS256 ({@code rsa_signature_2048_sha256_test.json}).
 *
 * <p>These vectors sign an arbitrary {@code msg}, not a JWS signing input, so they cannot be
 * wrapped in a token. They go through the primitive {@link SignatureVerifier#verify} ends in:
 * {@link SignatureVerifier#signatureLengthFits} (RFC 7518's exact signature length) and then
 * jose4j's {@link JsonWebSignatureAlgorithm#verifySignature} for the algorithm, obtained from
 * {@code AlgorithmFactoryFactory} exactly as {@code JsonWebSignature} obtains it, with the JDK's
 * default providers.
 *
 * <p>Keys: the group's {@code publicKeyJwk} (parsed by jose4j, as our key-set parser does; each
 * is also checked to be trusted by that parser), or, for the nine P-256 groups that have none,
 * {@code publicKeyDer}.
 *
 * <p>Expected: every {@code valid} vector verifies, every {@code invalid} one does not. The one
 * {@code acceptable} vector (RS256 tcId 8, a DigestInfo without the NULL parameter) is counted and
 * reported, not asserted: what it gets is the JDK provider's choice (RFC 8017 section 9.2 note 2
 * lets a verifier accept both encodings), and neither answer helps a forger, since the signature
 * still needs the private key.
 */
class WycheproofPrimitiveTest {
    /**
     * Valid signatures whose nonce point has an x-coordinate of at least n, so that r = x - n is
     * small. The JDK's own ECDSA (SunEC, 17.0.15; {@code SHA384withECDSAinP1363Format} refuses them
     * too, without jose4j) does not reduce x mod n and refuses them. A signer hits this with
     * probability about (p - n) / p: 2^-190 for P-384, 2^-128 for P-256, so never in practice, and
     * refusing a valid signature cannot let a forgery in. Counted apart, not asserted either way.
     */
    private static final Map<String, java.util.Set<Integer>> JDK_FALSE_NEGATIVES = Map.of(
            "ES384", java.util.Set.of(147, 275), "ES256", java.util.Set.of(115, 257), "RS256", java.util.Set.of());

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ecdsa_secp384r1_sha384_p1363_test.json, ES384",
        "ecdsa_secp256r1_sha256_p1363_test.json, ES256",
        "rsa_signature_2048_sha256_test.json, RS256"})
    void everyVectorThroughTheSignaturePrimitive(String file, String algorithmName) throws Exception {
        Algorithm ours = Algorithm.named(algorithmName).orElseThrow();
        JsonWebSignatureAlgorithm jose4j = AlgorithmFactoryFactory.getInstance().getJwsAlgorithmFactory()
                .getAlgorithm(algorithmName);
        List<Vector> vectors = WycheproofVectors.vectors(file);
        List<String> wrong = new ArrayList<>();
        Map<String, int[]> counts = new LinkedHashMap<>();   // result -> {verified, refused}
        Map<Object, PublicKey> keys = new LinkedHashMap<>();
        for (Vector v : vectors) {
            PublicKey key = keys.computeIfAbsent(v.group(), g -> publicKey(v, ours));
            byte[] msg = v.hex("msg");
            byte[] sig = v.hex("sig");
            boolean verified;
            try {
                verified = SignatureVerifier.signatureLengthFits(ours, key, sig.length)
                        && jose4j.verifySignature(sig, key, msg, new ProviderContext());
            } catch (JoseException | RuntimeException e) {
                verified = false;
            }
            boolean jdkEdgeCase = JDK_FALSE_NEGATIVES.get(algorithmName).contains(v.tcId());
            String category = jdkEdgeCase ? "valid with x(kG) >= n (JDK edge case)" : v.result();
            counts.computeIfAbsent(category, r -> new int[2])[verified ? 0 : 1]++;
            if (jdkEdgeCase) {
                continue;
            }
            if (v.result().equals("valid") && !verified) {
                wrong.add(v + ": a valid signature was refused");
            } else if (v.result().equals("invalid") && verified) {
                wrong.add(v + ": an invalid signature verified");
            }
        }
        StringBuilder summary = new StringBuilder("wycheproof ").append(file).append(" (").append(algorithmName)
                .append(" primitive): ").append(vectors.size()).append(" vectors");
        counts.forEach((result, c) -> summary.append("; ").append(result).append(' ').append(c[0] + c[1])
                .append(": ").append(c[0]).append(" verified, ").append(c[1]).append(" refused"));
        System.out.println(summary);
        assertTrue(wrong.isEmpty(), () -> wrong.size() + " vectors went wrong:\n" + String.join("\n", wrong));
        assertEquals(0, counts.get("invalid")[0]);
        assertEquals(0, counts.get("valid")[1]);
    }

    @SuppressWarnings("unchecked")
    private static PublicKey publicKey(Vector v, Algorithm algorithm) {
        try {
            Object jwk = v.group().containsKey("publicKeyJwk") ? v.group().get("publicKeyJwk") : v.group().get("keyJwk");
            if (jwk != null) {
                Map<String, Object> members = (Map<String, Object>) jwk;
                PublicKey key = PublicJsonWebKey.Factory.newPublicJwk(members).getPublicKey();
                // The key is one our JWKS parser would trust for this algorithm.
                String kid = String.valueOf(members.get("kid"));
                var trusted = WycheproofVectors.trustedKeys(WycheproofVectors.keySetJson(members),
                        EnumSet.of(algorithm));
                assertTrue(trusted.containsKey(kid), () -> v + ": the group's key is not trusted by the key-set parser");
                assertEquals(key, trusted.get(kid).publicKey());
                return key;
            }
            byte[] der = HexFormat.of().parseHex((String) v.group().get("publicKeyDer"));
            return KeyFactory.getInstance(algorithm.keyType()).generatePublic(new X509EncodedKeySpec(der));
        } catch (Exception e) {
            throw new IllegalStateException(v + ": cannot read the group's key", e);
        }
    }
}
