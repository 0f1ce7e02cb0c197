package dev.orgtoken.jws;

import dev.orgtoken.jws.JwsException.Failure;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import org.jose4j.jca.ProviderContext;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwa.AlgorithmFactoryFactory;
import org.jose4j.jws.JsonWebSignatureAlgorithm;
import org.jose4j.lang.JoseException;

/**
 * Checks a {@link CompactJws}'s header against the policy and its signature against one key.
 *
 * <p>Keys come only from the caller (the configured JWKS): the {@code jwk}, {@code jku},
 * {@code x5u} and {@code x5c} headers are refused outright rather than ignored, so a token that
 * tries to bring its own key never gets as far as a signature check. {@code crit} is refused
 * because this library implements no JWS extension, which also rules out RFC 7797's
 * {@code b64:false} (jose4j would otherwise accept it).
 */
public final class SignatureVerifier {
    private static final Set<String> REFUSED_HEADERS =
            Set.of("crit", "b64", "jwk", "jku", "x5u", "x5c", "enc", "zip", "cty", "epk", "p2s", "p2c");

    private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();

    private final Set<Algorithm> allowed;
    private final AlgorithmConstraints constraints;
    private final boolean requireAccessTokenType;
    private final ProviderContext providerContext;

    /**
     * @param allowed the algorithm allow-list; never empty
     * @param requireAccessTokenType whether {@code typ} must be {@code at+jwt}
     * @param signatureProvider a JCA provider name for signature verification, or null for the
     *     JDK's default
     */
    public SignatureVerifier(Set<Algorithm> allowed, boolean requireAccessTokenType, String signatureProvider) {
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("the algorithm allow-list is empty");
        }
        this.allowed = EnumSet.copyOf(allowed);
        this.constraints = new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                this.allowed.stream().map(Enum::name).toArray(String[]::new));
        this.requireAccessTokenType = requireAccessTokenType;
        ProviderContext ctx = new ProviderContext();
        if (signatureProvider != null) {
            ctx.getSuppliedKeyProviderContext().setSignatureProvider(signatureProvider);
        }
        this.providerContext = ctx;
    }

    /**
     * Checks everything in the header that needs no key: algorithm, type, refused headers, kid.
     *
     * @param jws the parsed token
     * @return the token's algorithm
     * @throws JwsException when the header is not acceptable
     */
    public Algorithm checkHeader(CompactJws jws) throws JwsException {
        Algorithm alg = Algorithm.named(jws.algorithm())
                .filter(allowed::contains)
                .orElseThrow(() -> new JwsException(Failure.UNSUPPORTED_ALGORITHM, "token algorithm is not allowed"));
        for (String name : jws.header().keySet()) {
            if (REFUSED_HEADERS.contains(name)) {
                throw new JwsException(Failure.UNSUPPORTED_HEADER, "token header '" + name + "' is not accepted");
            }
        }
        if (requireAccessTokenType && !CompactJws.isAccessTokenType(jws.type())) {
            throw new JwsException(Failure.WRONG_TYPE, "token is not an access token (typ must be at+jwt)");
        }
        String kid = jws.keyId();
        if (kid == null || kid.isEmpty()) {
            throw new JwsException(Failure.MISSING_KEY_ID, "token has no key id");
        }
        return alg;
    }

    /**
     * Verifies the signature with one key.
     *
     * @param jws the parsed token, whose header passed {@link #checkHeader}
     * @param alg the token's algorithm
     * @param key the key the JWKS holds under the token's {@code kid}
     * @param declaredAlgorithm the JWK's {@code alg} member, or null when it has none
     * @throws JwsException when the key does not fit or the signature does not verify
     */
    public void verify(CompactJws jws, Algorithm alg, PublicKey key, Algorithm declaredAlgorithm)
            throws JwsException {
        if (!alg.fits(key) || (declaredAlgorithm != null && declaredAlgorithm != alg)) {
            throw new JwsException(Failure.KEY_MISMATCH, "token algorithm does not match its key");
        }
        // The signature segment is canonical unpadded base64url (CompactJws checked), so its
        // decoded length follows from its length in characters.
        String serialization = jws.serialization();
        int signatureChars = serialization.length() - serialization.lastIndexOf('.') - 1;
        if (!signatureLengthFits(alg, key, signatureChars * 3 / 4)) {
            throw new JwsException(Failure.BAD_SIGNATURE, "token signature is invalid");
        }
        // jose4j's algorithm, called the way JsonWebSignature.verifySignature calls it (constraint,
        // key validation, then the algorithm on the signing input), without JsonWebSignature: it
        // would decode and parse the header a second time (with a 32 KB parser buffer) to get here.
        int lastDot = serialization.lastIndexOf('.');
        try {
            constraints.checkConstraint(alg.name());
            JsonWebSignatureAlgorithm algorithm =
                    AlgorithmFactoryFactory.getInstance().getJwsAlgorithmFactory().getAlgorithm(alg.name());
            algorithm.validateVerificationKey(key);
            byte[] signatureBytes = BASE64URL.decode(serialization.substring(lastDot + 1));
            byte[] signingInput = serialization.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII);
            if (!algorithm.verifySignature(signatureBytes, key, signingInput, providerContext)) {
                throw new JwsException(Failure.BAD_SIGNATURE, "token signature is invalid");
            }
        } catch (JoseException | RuntimeException e) {
            throw new JwsException(Failure.BAD_SIGNATURE, "token signature is invalid");
        }
    }

    /**
     * Whether a signature has the exact length RFC 7518 gives it: R and S of the curve's size each
     * for ECDSA (64, 96 or 132 octets, section 3.4), the modulus's length for RSA (RFC 8017).
     * jose4j refuses only longer ECDSA signatures, so without this a valid ES384 signature whose R
     * and S both start with a zero octet also verified with those octets dropped: a second
     * spelling of a signed token (Wycheproof ECDSA P1363 "incorrect size of signature" vectors).
     *
     * @param alg the algorithm
     * @param key the key, which fits the algorithm
     * @param length the signature's length in octets
     * @return true when the length is exact
     */
    static boolean signatureLengthFits(Algorithm alg, PublicKey key, int length) {
        return switch (alg) {
            case ES256 -> length == 64;
            case ES384 -> length == 96;
            case ES512 -> length == 132;
            default -> key instanceof RSAPublicKey rsa && length == (rsa.getModulus().bitLength() + 7) / 8;
        };
    }

    /** @return the algorithm allow-list */
    public Set<Algorithm> allowed() {
        return EnumSet.copyOf(allowed);
    }
}
