package dev.orgtoken.jwks;

import dev.orgtoken.jws.Algorithm;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECField;
import java.security.spec.ECFieldFp;
import java.security.spec.ECPoint;
import java.security.spec.EllipticCurve;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a JWKS document into the keys we will trust. A key that is malformed, symmetric, not for
 * signatures, on an unsupported curve, off its curve, too short, an RSA modulus with the ROCA
 * fingerprint, or whose {@code alg} does not fit it is skipped with a log line; its neighbours
 * still load. Log lines name the key by position and kid only, never its material.
 */
final class KeySetParser {
    private static final Logger LOG = LoggerFactory.getLogger(KeySetParser.class);

    /** The odd primes up to 701: the first 126 primes but 2, ROCA's M for 1984 bits and more. */
    private static final int[] ROCA_PRIMES = java.util.stream.IntStream.rangeClosed(3, 701)
            .filter(c -> BigInteger.valueOf(c).isProbablePrime(50)).toArray();

    private final Set<Algorithm> allowed;

    KeySetParser(Set<Algorithm> allowed) {
        this.allowed = allowed;
    }

    /**
     * @param json the response body
     * @return the usable keys by kid, in document order; empty when the document is well formed
     *     but none of its keys is usable
     * @throws IllegalArgumentException when the document as a whole is unusable (not JSON, no
     *     {@code keys} array); the caller keeps the last good set
     */
    Map<String, VerificationKey> parse(String json) {
        Map<String, Object> document;
        try {
            document = JsonUtil.parseJson(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("JWKS is not a JSON object");
        }
        if (!(document.get("keys") instanceof List<?> keys)) {
            throw new IllegalArgumentException("JWKS has no 'keys' array");
        }
        Map<String, VerificationKey> usable = new LinkedHashMap<>();
        Set<String> duplicated = new HashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            VerificationKey key = parseKey(i, keys.get(i));
            if (key == null) {
                continue;
            }
            if (usable.putIfAbsent(key.keyId(), key) != null) {
                duplicated.add(key.keyId());
            }
        }
        for (String kid : duplicated) {
            // Two keys under one kid make "which key signed this?" ambiguous; trust neither.
            LOG.warn("JWKS lists kid '{}' more than once; ignoring every key with that kid", kid);
            usable.remove(kid);
        }
        // An empty result is an answer, not a failure: the issuer says it trusts none of the keys we
        // knew (outside review, finding 3), so it replaces them. Keeping the old set for the stale
        // period would go on trusting a withdrawn key.
        return Collections.unmodifiableMap(usable);
    }

    private VerificationKey parseKey(int index, Object element) {
        if (!(element instanceof Map<?, ?> raw)) {
            skip(index, null, "not a JSON object");
            return null;
        }
        Map<String, Object> members = new HashMap<>();
        raw.forEach((k, v) -> members.put(String.valueOf(k), v));
        Object kidValue = members.get("kid");
        String kid = kidValue instanceof String s && !s.isEmpty() ? s : null;
        if (kid == null) {
            skip(index, null, "no kid");
            return null;
        }
        Object kty = members.get("kty");
        if (!"EC".equals(kty) && !"RSA".equals(kty)) {
            skip(index, kid, "unsupported kty");
            return null;
        }
        Object use = members.get("use");
        if (use != null && !"sig".equals(use)) {
            skip(index, kid, "use is not 'sig'");
            return null;
        }
        if (members.get("key_ops") instanceof List<?> ops && !ops.contains("verify")) {
            skip(index, kid, "key_ops does not include 'verify'");
            return null;
        }
        Algorithm declared = null;
        Object alg = members.get("alg");
        if (alg != null) {
            declared = alg instanceof String s ? Algorithm.named(s).orElse(null) : null;
            if (declared == null || !allowed.contains(declared)) {
                skip(index, kid, "alg is not an allowed algorithm");
                return null;
            }
        }
        PublicKey publicKey;
        try {
            // Only public members are read: a private "d" published by mistake is never used.
            JsonWebKey jwk = JsonWebKey.Factory.newJwk(members);
            if (!(jwk instanceof PublicJsonWebKey pub) || pub.getPublicKey() == null) {
                skip(index, kid, "not a public key");
                return null;
            }
            publicKey = pub.getPublicKey();
        } catch (Exception e) {
            skip(index, kid, "malformed key");
            return null;
        }
        if (publicKey instanceof ECPublicKey ec && !isOnCurve(ec)) {
            skip(index, kid, "EC point is not on its curve");
            return null;
        }
        if (publicKey instanceof RSAPublicKey rsa && hasRocaFingerprint(rsa.getModulus())) {
            // CVE-2017-15361: an Infineon-generated modulus whose primes can be recovered
            // (Wycheproof JWK tcId 7). jose4j and the JDK load it like any other key.
            skip(index, kid, "RSA modulus has the ROCA fingerprint (CVE-2017-15361)");
            return null;
        }
        Algorithm onlyAlgorithm = declared;
        boolean usableForSomeAlgorithm = onlyAlgorithm != null
                ? onlyAlgorithm.fits(publicKey)
                : allowed.stream().anyMatch(a -> a.fits(publicKey));
        if (!usableForSomeAlgorithm) {
            skip(index, kid, "no allowed algorithm fits this key (curve, size or alg)");
            return null;
        }
        return new VerificationKey(kid, publicKey, declared);
    }

    /**
     * ROCA primes are {@code k * M + (65537^a mod M)} with M the product of the first 126 primes
     * for the key sizes we accept (at least 2048 bits; larger keys use a multiple of it), so their
     * product n is, modulo each of those primes, a power of 65537. A random modulus passes every
     * prime with probability about 2^-167 (the check of Nemec et al., "The Return of Coppersmith's
     * Attack", CCS 2017).
     */
    static boolean hasRocaFingerprint(BigInteger n) {
        for (int p : ROCA_PRIMES) {
            int residue = n.mod(BigInteger.valueOf(p)).intValue();
            int generator = 65537 % p;
            boolean power = false;
            int x = 1;
            for (int i = 0; i < p && !power; i++) {
                x = x * generator % p;
                power = x == residue;
            }
            if (!power) {
                return false;
            }
        }
        return true;
    }

    /** y^2 = x^3 + ax + b (mod p): a point off the curve must never be used. */
    static boolean isOnCurve(ECPublicKey key) {
        EllipticCurve curve = key.getParams().getCurve();
        ECField field = curve.getField();
        if (!(field instanceof ECFieldFp fp)) {
            return false;
        }
        BigInteger p = fp.getP();
        ECPoint w = key.getW();
        if (w.equals(ECPoint.POINT_INFINITY)) {
            return false;
        }
        BigInteger x = w.getAffineX();
        BigInteger y = w.getAffineY();
        if (x.signum() < 0 || y.signum() < 0 || x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger left = y.multiply(y).mod(p);
        BigInteger right = x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
        return left.equals(right);
    }

    private static void skip(int index, String kid, String why) {
        LOG.warn("JWKS key #{}{} skipped: {}", index, kid == null ? "" : " (kid '" + kid + "')", why);
    }
}
