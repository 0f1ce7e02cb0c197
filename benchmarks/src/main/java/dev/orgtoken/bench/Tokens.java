package dev.orgtoken.bench;

import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.SigningKey;
import dev.orgtoken.testkit.TokenBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.Signature;
import java.util.Base64;
import java.util.SplittableRandom;
import org.jose4j.jws.EcdsaUsingShaAlgorithm;

/**
 * Realistic Logto access tokens, minted fast.
 *
 * <p>The header and claims come from the testkit's {@link TokenBuilder} (Logto's claim order and
 * shapes: {@code jti}, {@code sub}, {@code iat}, {@code exp}, {@code scope}, {@code client_id},
 * {@code iss}, {@code aud}, {@code organization_id}; ids of Logto's lengths). Only the signing is
 * done here, with a provider of our choice, because benchmarks need tens of thousands of distinct
 * tokens and the JDK signs ES384 at about 1 ms each. Which provider signed a token makes no
 * difference to the bytes a verifier sees.
 */
public final class Tokens {
    /** The organization-level API resource every benchmark token is for. */
    public static final String API = "https://api.example.com/org";
    /** The organization every benchmark token is for (12 characters, like Logto's ids). */
    public static final String ORGANIZATION = "k8ms2q5vnd0r";
    /** The scopes every benchmark token carries. */
    public static final String[] SCOPES = {"read:members", "invite:member", "read:projects"};

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final char[] ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

    private final LogtoTestIssuer issuer;
    private final SigningKey key;
    private final Provider provider;
    private final SplittableRandom random;

    /**
     * @param issuer the issuer whose current key signs
     * @param provider the JCA provider that signs, or null for the JDK's default
     * @param seed for the random ids
     */
    public Tokens(LogtoTestIssuer issuer, Provider provider, long seed) {
        this.issuer = issuer;
        this.key = issuer.currentKey();
        this.provider = provider;
        this.random = new SplittableRandom(seed);
    }

    /** @return the builder of a user token for {@link #API} in {@link #ORGANIZATION}, Logto-shaped */
    public TokenBuilder logtoToken() {
        return issuer.organizationResourceToken(id(12), API, ORGANIZATION, SCOPES).clientId(id(21));
    }

    /** @return a freshly minted, valid, distinct token */
    public String next() {
        return sign(logtoToken());
    }

    /**
     * Signs a builder's header and payload with this minter's key and provider.
     *
     * @param builder the token
     * @return the compact JWS
     */
    public String sign(TokenBuilder builder) {
        String input = B64.encodeToString(builder.headerJson().getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(builder.unsignedPayloadJson().getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = provider == null ? Signature.getInstance(javaAlgorithm(key.type()))
                    : Signature.getInstance(javaAlgorithm(key.type()), provider);
            s.initSign(key.privateKey());
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            byte[] signature = s.sign();
            if (key.type().isEc()) {
                signature = EcdsaUsingShaAlgorithm.convertDerToConcatenated(signature, concatLength(key.type()));
            }
            return input + "." + B64.encodeToString(signature);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot sign a benchmark token", e);
        }
    }

    /** @return the key that signs */
    public SigningKey key() {
        return key;
    }

    private String id(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        }
        return new String(out);
    }

    /**
     * @param type a key type
     * @return the JCA signature algorithm its JWS algorithm uses
     */
    public static String javaAlgorithm(KeyType type) {
        return switch (type.algorithm()) {
            case "ES256" -> "SHA256withECDSA";
            case "ES384" -> "SHA384withECDSA";
            case "ES512" -> "SHA512withECDSA";
            case "RS256" -> "SHA256withRSA";
            default -> throw new IllegalArgumentException(type.algorithm());
        };
    }

    /**
     * @param type an EC key type
     * @return the length of a JWS (R || S) signature on its curve
     */
    public static int concatLength(KeyType type) {
        return switch (type) {
            case EC_P256 -> 64;
            case EC_P384 -> 96;
            case EC_P521 -> 132;
            default -> throw new IllegalArgumentException(type.name());
        };
    }

    /**
     * @param algorithm ES256, ES384, ES512 or RS256
     * @return the testkit key type that signs it (RSA 2048 for RS256)
     */
    public static KeyType keyType(String algorithm) {
        return switch (algorithm) {
            case "ES256" -> KeyType.EC_P256;
            case "ES384" -> KeyType.EC_P384;
            case "ES512" -> KeyType.EC_P521;
            case "RS256" -> KeyType.RSA_2048;
            default -> throw new IllegalArgumentException(algorithm);
        };
    }
}
