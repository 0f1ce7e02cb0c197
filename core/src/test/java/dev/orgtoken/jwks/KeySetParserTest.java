package dev.orgtoken.jwks;

import dev.orgtoken.jws.Algorithm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.SigningKey;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The key-set parser on its own: which keys of a document are trusted. */
class KeySetParserTest {
    private final KeySetParser parser = new KeySetParser(
            EnumSet.of(Algorithm.ES256, Algorithm.ES384, Algorithm.ES512, Algorithm.RS256));

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "EC_P384", "EC_P521"})
    void aRealPointIsOnItsCurveAndAMovedOneIsNot(KeyType type) throws Exception {
        ECPublicKey real = (ECPublicKey) SigningKey.generate(type).publicKey();
        assertTrue(KeySetParser.isOnCurve(real));
        ECPoint w = real.getW();
        ECPoint moved = new ECPoint(w.getAffineX(), w.getAffineY().add(BigInteger.ONE));
        // The JDK builds the key without checking the point; the parser must.
        ECPublicKey off = (ECPublicKey) KeyFactory.getInstance("EC")
                .generatePublic(new ECPublicKeySpec(moved, real.getParams()));
        assertFalse(KeySetParser.isOnCurve(off));
        // y + p names the same residue but is not a canonical coordinate; the JDK refuses to encode
        // it for most curves, so it is checked through a bare ECPublicKey.
        BigInteger p = ((java.security.spec.ECFieldFp) real.getParams().getCurve().getField()).getP();
        assertFalse(KeySetParser.isOnCurve(bare(new ECPoint(w.getAffineX(), w.getAffineY().add(p)), real)),
                "y >= p is refused");
        assertFalse(KeySetParser.isOnCurve(bare(ECPoint.POINT_INFINITY, real)), "the point at infinity is refused");
        assertTrue(KeySetParser.isOnCurve(bare(w, real)));
    }

    private static ECPublicKey bare(ECPoint w, ECPublicKey like) {
        return new ECPublicKey() {
            @Override
            public ECPoint getW() {
                return w;
            }

            @Override
            public java.security.spec.ECParameterSpec getParams() {
                return like.getParams();
            }

            @Override
            public String getAlgorithm() {
                return "EC";
            }

            @Override
            public String getFormat() {
                return null;
            }

            @Override
            public byte[] getEncoded() {
                return null;
            }
        };
    }

    @Test
    void onlyUsableSignatureKeysAreKept() {
        SigningKey good = SigningKey.generate(KeyType.EC_P384);
        SigningKey rsa = SigningKey.generate(KeyType.RSA_2048);
        SigningKey wrongAlg = SigningKey.generate(KeyType.EC_P384);
        SigningKey encryption = SigningKey.generate(KeyType.EC_P256);
        SigningKey dupA = SigningKey.generate(KeyType.EC_P256);
        SigningKey dupB = SigningKey.generate(KeyType.EC_P256);
        String json = "{\"keys\":["
                + good.publicJwk() + ","
                + rsa.publicJwk() + ","
                + wrongAlg.publicJwk().replace("\"ES384\"", "\"ES256\"") + ","   // alg does not fit P-384
                + encryption.publicJwk().replace("\"sig\"", "\"enc\"") + ","
                + dupA.publicJwk() + ","
                + dupB.publicJwk().replace(dupB.kid(), dupA.kid()) + ","
                + "{\"kty\":\"oct\",\"kid\":\"hmac\",\"k\":\"c2VjcmV0\"},"
                + "\"not an object\""
                + "]}";
        Map<String, VerificationKey> keys = parser.parse(json);
        assertEquals(List.of(good.kid(), rsa.kid()), List.copyOf(keys.keySet()));
        assertEquals(good.publicKey(), keys.get(good.kid()).publicKey());
        assertEquals(Algorithm.ES384, keys.get(good.kid()).declaredAlgorithm());
        assertNull(keys.get(rsa.kid()).declaredAlgorithm(), "Logto's RSA keys have no alg");
    }

    @Test
    void aDocumentThatIsNotAKeySetIsRefusedAsAWhole() {
        assertThrows(IllegalArgumentException.class, () -> parser.parse("not json"));
        assertThrows(IllegalArgumentException.class, () -> parser.parse("{\"keys\":{}}"));
        assertThrows(IllegalArgumentException.class, () -> parser.parse("{\"no\":[]}"));
    }

    /** A key set with no usable key is an answer: the issuer trusts none (outside review, finding 3). */
    @Test
    void aKeySetWithoutUsableKeysIsEmpty() {
        assertEquals(Map.of(), parser.parse("{\"keys\":[]}"));
        assertEquals(Map.of(), parser.parse("{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAA\",\"kid\":\"x\"}]}"));
    }
}
