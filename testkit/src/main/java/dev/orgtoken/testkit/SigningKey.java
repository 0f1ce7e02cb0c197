package dev.orgtoken.testkit;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.HashUtil;
import org.jose4j.lang.JoseException;

/**
 * A signing key pair as Logto holds it: a {@code kid} that is the RFC 7638 SHA-256 thumbprint of the
 * public key (base64url), {@code use: "sig"}, and an {@code alg} member for EC keys only (Logto
 * publishes RSA keys without {@code alg}).
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class SigningKey {

    private final KeyType type;
    private final String kid;
    private final PublicKey publicKey;
    private final PrivateKey privateKey;
    private final Map<String, Object> publicJwkMembers;
    private final String publicJwk;

    private SigningKey(KeyType type, PublicJsonWebKey jwk) {
        this.type = type;
        this.kid = jwk.calculateBase64urlEncodedThumbprint(HashUtil.SHA_256);
        this.publicKey = jwk.getPublicKey();
        this.privateKey = jwk.getPrivateKey();
        Map<String, Object> params = jwk.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
        // Member order as Logto writes it.
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("kty", params.get("kty"));
        members.put("use", "sig");
        members.put("kid", kid);
        if (type.isEc()) {
            members.put("alg", type.algorithm());
            members.put("crv", params.get("crv"));
            members.put("x", params.get("x"));
            members.put("y", params.get("y"));
        } else {
            members.put("e", params.get("e"));
            members.put("n", params.get("n"));
        }
        this.publicJwkMembers = Collections.unmodifiableMap(members);
        this.publicJwk = Json.write(members);
    }

    /**
     * Generates a fresh key pair of the given type. Useful on its own for tests that need a key the
     * issuer does not publish (an attacker's key, say).
     *
     * @param type the kind of key
     * @return a new key
     */
    public static SigningKey generate(KeyType type) {
        Objects.requireNonNull(type, "type");
        try {
            PublicJsonWebKey jwk;
            switch (type) {
                case EC_P256:
                    jwk = EcJwkGenerator.generateJwk(EllipticCurves.P256);
                    break;
                case EC_P384:
                    jwk = EcJwkGenerator.generateJwk(EllipticCurves.P384);
                    break;
                case EC_P521:
                    jwk = EcJwkGenerator.generateJwk(EllipticCurves.P521);
                    break;
                default:
                    jwk = RsaJwkGenerator.generateJwk(type.bits());
            }
            return new SigningKey(type, jwk);
        } catch (JoseException e) {
            throw new IllegalStateException("cannot generate a " + type + " key", e);
        }
    }

    /**
     * The key id: the RFC 7638 SHA-256 thumbprint of the public key, base64url without padding.
     *
     * @return the kid
     */
    public String kid() {
        return kid;
    }

    /**
     * The kind of key.
     *
     * @return the key type
     */
    public KeyType type() {
        return type;
    }

    /**
     * The JWS algorithm this key signs with.
     *
     * @return {@code ES256}, {@code ES384}, {@code ES512} or {@code RS256}
     */
    public String algorithm() {
        return type.algorithm();
    }

    /**
     * The public JWK as it appears in the issuer's JWKS: public members only, in Logto's member order
     * ({@code kty, use, kid, alg, crv, x, y} for EC; {@code kty, use, kid, e, n} for RSA).
     *
     * @return compact JSON text
     */
    public String publicJwk() {
        return publicJwk;
    }

    /**
     * The private key, for tests that sign by hand.
     *
     * @return the private key
     */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /**
     * The public key.
     *
     * @return the public key
     */
    public PublicKey publicKey() {
        return publicKey;
    }

    Map<String, Object> publicJwkMembers() {
        return publicJwkMembers;
    }

    /**
     * Describes the key by type and kid; never prints key material.
     *
     * @return a short description
     */
    @Override
    public String toString() {
        return "SigningKey[" + type + ", kid=" + kid + "]";
    }
}
