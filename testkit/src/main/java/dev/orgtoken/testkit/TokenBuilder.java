package dev.orgtoken.testkit;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jose4j.base64url.Base64Url;
import org.jose4j.jca.ProviderContext;
import org.jose4j.jwa.AlgorithmFactoryFactory;
import org.jose4j.jwa.CryptoPrimitive;
import org.jose4j.jws.JsonWebSignatureAlgorithm;
import org.jose4j.lang.JoseException;

/**
 * Builds and signs one access token the way Logto shapes them.
 *
 * <p>A builder starts from what {@link LogtoTestIssuer} put in it (usually {@code iss}, {@code iat},
 * {@code exp = iat + 1 h}, {@code jti}, and a header {@code {"alg":...,"typ":"at+jwt","kid":...}} for
 * the issuer's current key). Every method changes one thing and returns this builder; {@link #sign()}
 * can be called any number of times.
 *
 * <p>Claims are written in Logto's order: {@code organization_id}, then any other claims
 * ({@code act}, custom claims such as {@code roles}) in the order they were first set, then
 * {@code jti, sub, iat, exp, scope, client_id, iss, aud} (the layout of the real tokens in the
 * project's Logto 1.37.1 fixtures). Header members are written as {@code alg, typ, kid}, then others.
 *
 * <p>The header's {@code alg} and {@code kid} default to the signing key's; {@link #algorithm(String)},
 * {@link #kid(String)}, {@link #header(String, Object)} and {@link #removeHeader(String)} override
 * what the header <em>says</em> without changing how the token is actually signed, so tests can build
 * mismatched or forged tokens.
 *
 * <p>Not thread-safe: use one builder per thread.
 */
public final class TokenBuilder {
    private static final Object REMOVED = new Object();
    /** Logto writes extra claims between {@code organization_id} and these, which always come last. */
    private static final List<String> CLAIMS_LAST = List.of("jti", "sub", "iat", "exp", "scope", "client_id", "iss", "aud");

    private final Map<String, Object> claims = new LinkedHashMap<>();
    private final Map<String, Object> headerOverrides = new LinkedHashMap<>();
    private final Instant createdAt;
    private Duration expiresIn;
    private boolean expExplicit;
    private Key signingKey;
    private String signingAlgorithm;
    private String keyKid;
    private String rawHeader;
    private String rawPayload;

    TokenBuilder(String issuer, Instant now, Duration ttl, SigningKey key) {
        this.createdAt = now;
        this.expiresIn = ttl;
        claims.put("jti", Ids.jwtId());
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(ttl).getEpochSecond());
        claims.put("iss", issuer);
        signedWith(key);
    }

    // ---------------------------------------------------------------- registered claims

    /**
     * Sets {@code sub}.
     *
     * @param subject the subject (a user id, or the client id for M2M tokens); {@code null} removes it
     * @return this builder
     */
    public TokenBuilder subject(String subject) {
        return optionalClaim("sub", subject);
    }

    /**
     * Sets {@code client_id}.
     *
     * @param clientId the application id; {@code null} removes it
     * @return this builder
     */
    public TokenBuilder clientId(String clientId) {
        return optionalClaim("client_id", clientId);
    }

    /**
     * Sets {@code aud} to a single string, as Logto does.
     *
     * @param audience the API resource indicator or {@code urn:logto:organization:<id>}; {@code null}
     *     removes it
     *
     * @return this builder
     */
    public TokenBuilder audience(String audience) {
        return optionalClaim("aud", audience);
    }

    /**
     * Sets {@code aud} to a JSON array (even with one element).
     *
     * @param audiences the audiences
     * @return this builder
     */
    public TokenBuilder audiences(String... audiences) {
        claims.put("aud", Json.normalize(Arrays.asList(audiences)));
        return this;
    }

    /**
     * Sets {@code organization_id}, the claim Logto adds to organization API resource tokens.
     *
     * @param organizationId the organization id; {@code null} removes the claim
     * @return this builder
     */
    public TokenBuilder organizationId(String organizationId) {
        return optionalClaim("organization_id", organizationId);
    }

    /**
     * Sets {@code act: {"sub": actor}}, as Logto's token exchange (RFC 8693 impersonation) does: the
     * token speaks for {@code sub}, and {@code actor} is who acts (a support agent, say).
     *
     * @param actor the actor's subject; {@code null} removes the claim
     * @return this builder
     */
    public TokenBuilder actor(String actor) {
        if (actor == null) {
            claims.remove("act");
            return this;
        }
        return claim("act", Map.of("sub", actor));
    }

    /**
     * Sets {@code scope} to the given scopes joined by single spaces. With no arguments the claim is
     * the empty string (what Logto mints for an organization token with nothing granted).
     *
     * @param scopes the scopes
     * @return this builder
     */
    public TokenBuilder scopes(String... scopes) {
        for (String s : scopes) {
            Objects.requireNonNull(s, "scope");
        }
        claims.put("scope", String.join(" ", scopes));
        return this;
    }

    /**
     * Sets {@code scope} to exactly this text (double spaces, tabs and all).
     *
     * @param rawScope the claim value; {@code null} writes JSON {@code null}
     * @return this builder
     */
    public TokenBuilder scope(String rawScope) {
        claims.put("scope", rawScope);
        return this;
    }

    /**
     * Removes {@code scope} (what Logto mints for a resource token with nothing granted); returns this builder.
     *
     * @return this builder
     */
    public TokenBuilder noScope() {
        claims.remove("scope");
        return this;
    }

    /**
     * Sets {@code iat}. Unless the expiry was set explicitly, {@code exp} moves along with it
     * ({@code iat +} {@link #expiresIn(Duration)}, one hour by default).
     *
     * @param issuedAt the issue time (whole seconds are kept)
     * @return this builder
     */
    public TokenBuilder issuedAt(Instant issuedAt) {
        claims.put("iat", issuedAt.getEpochSecond());
        if (!expExplicit) {
            claims.put("exp", issuedAt.plus(expiresIn).getEpochSecond());
        }
        return this;
    }

    /**
     * Sets {@code exp} to a fixed time.
     *
     * @param expiresAt the expiry (whole seconds are kept)
     * @return this builder
     */
    public TokenBuilder expiresAt(Instant expiresAt) {
        claims.put("exp", expiresAt.getEpochSecond());
        expExplicit = true;
        return this;
    }

    /**
     * Sets {@code exp} to {@code iat} plus this lifetime (negative values make expired tokens), and
     * keeps it that far from {@code iat} if {@link #issuedAt(Instant)} is called later.
     *
     * @param lifetime the lifetime
     * @return this builder
     */
    public TokenBuilder expiresIn(Duration lifetime) {
        this.expiresIn = Objects.requireNonNull(lifetime, "lifetime");
        this.expExplicit = false;
        Object iat = claims.get("iat");
        long base = iat instanceof Number ? ((Number) iat).longValue() : createdAt.getEpochSecond();
        claims.put("exp", Instant.ofEpochSecond(base).plus(lifetime).getEpochSecond());
        return this;
    }

    /**
     * Sets {@code nbf} (Logto never does; tests of verifiers may).
     *
     * @param notBefore the not-before time; {@code null} removes the claim
     * @return this builder
     */
    public TokenBuilder notBefore(Instant notBefore) {
        if (notBefore == null) {
            claims.remove("nbf");
        } else {
            claims.put("nbf", notBefore.getEpochSecond());
        }
        return this;
    }

    /**
     * Sets {@code iss}.
     *
     * @param issuer the issuer; {@code null} removes it
     * @return this builder
     */
    public TokenBuilder issuer(String issuer) {
        return optionalClaim("iss", issuer);
    }

    /**
     * Sets {@code jti}.
     *
     * @param jwtId the token id; {@code null} removes it
     * @return this builder
     */
    public TokenBuilder jwtId(String jwtId) {
        return optionalClaim("jti", jwtId);
    }

    /**
     * Sets any claim to any JSON value: {@code null}, strings, numbers, booleans, lists, arrays and
     * maps (copied now), or an {@link Instant} (written as epoch seconds). Setting {@code exp} this
     * way fixes it like {@link #expiresAt(Instant)}.
     *
     * @param name the claim name
     * @param value the value
     * @return this builder
     * @throws IllegalArgumentException if the value is not a JSON value
     */
    public TokenBuilder claim(String name, Object value) {
        Objects.requireNonNull(name, "name");
        claims.put(name, Json.normalize(value));
        if ("exp".equals(name)) {
            expExplicit = true;
        }
        return this;
    }

    /**
     * Removes a claim (removing {@code exp} also stops it from following {@code iat}).
     *
     * @param name the claim name
     * @return this builder
     */
    public TokenBuilder removeClaim(String name) {
        claims.remove(name);
        if ("exp".equals(name)) {
            expExplicit = true;
        }
        return this;
    }

    // ---------------------------------------------------------------- header

    /**
     * Sets a header member to any JSON value (overrides the defaults for {@code alg}, {@code typ},
     * {@code kid}).
     *
     * @param name the member name
     * @param value the value ({@code null} writes JSON {@code null})
     * @return this builder
     */
    public TokenBuilder header(String name, Object value) {
        Objects.requireNonNull(name, "name");
        headerOverrides.put(name, Json.normalize(value));
        return this;
    }

    /**
     * Removes a header member, including {@code alg}, {@code typ} or {@code kid}.
     *
     * @param name the member name
     * @return this builder
     */
    public TokenBuilder removeHeader(String name) {
        headerOverrides.put(Objects.requireNonNull(name, "name"), REMOVED);
        return this;
    }

    /**
     * Sets the {@code typ} header ({@code at+jwt} by default).
     *
     * @param type the type, e.g. {@code JWT}; {@code null} removes the member
     * @return this builder
     */
    public TokenBuilder type(String type) {
        headerOverrides.put("typ", type == null ? REMOVED : type);
        return this;
    }

    /**
     * Sets the {@code kid} header (the signing key's kid by default).
     *
     * @param kid the key id; {@code null} removes the member
     * @return this builder
     */
    public TokenBuilder kid(String kid) {
        headerOverrides.put("kid", kid == null ? REMOVED : kid);
        return this;
    }

    /**
     * Sets what the {@code alg} header says, without changing how the token is signed.
     *
     * @param algorithm the header value; {@code null} removes the member
     * @return this builder
     */
    public TokenBuilder algorithm(String algorithm) {
        headerOverrides.put("alg", algorithm == null ? REMOVED : algorithm);
        return this;
    }

    // ---------------------------------------------------------------- signing

    /**
     * Signs with this key and its algorithm; the header's default {@code alg} and {@code kid} become
     * the key's.
     *
     * @param key the key (published by the issuer or not)
     * @return this builder
     */
    public TokenBuilder signedWith(SigningKey key) {
        Objects.requireNonNull(key, "key");
        this.signingKey = key.privateKey();
        this.signingAlgorithm = key.algorithm();
        this.keyKid = key.kid();
        return this;
    }

    /**
     * Signs with an arbitrary key and JWS algorithm, without key-strength checks: for attack tests,
     * e.g. {@code signedWith(new HmacKey(issuer.currentKey().publicKey().getEncoded()), "HS256")}. The
     * header's default {@code alg} becomes {@code algorithm}; the default {@code kid} stays what it
     * was (the issuer key's kid, unless changed). Algorithm {@code none} gives an empty signature and
     * ignores the key.
     *
     * @param key the signing key (a {@code PrivateKey}, or a {@code SecretKey} for HS*); may be
     *     {@code null} for {@code none}
     *
     * @param algorithm a JWS algorithm name jose4j knows ({@code HS256}, {@code RS256}, {@code PS256},
     *     {@code ES256}, ..., {@code none})
     *
     * @return this builder
     */
    public TokenBuilder signedWith(Key key, String algorithm) {
        Objects.requireNonNull(algorithm, "algorithm");
        if (key == null && !"none".equals(algorithm)) {
            throw new IllegalArgumentException("a key is required for " + algorithm);
        }
        this.signingKey = key;
        this.signingAlgorithm = algorithm;
        return this;
    }

    /**
     * Uses this exact text as the header instead of the computed one (for malformed or duplicate-member
     * headers). {@code null} goes back to the computed header.
     *
     * @param headerJson the header text, signed as is
     * @return this builder
     */
    public TokenBuilder rawHeader(String headerJson) {
        this.rawHeader = headerJson;
        return this;
    }

    /**
     * Uses this exact text as the payload instead of the computed claims (for malformed JSON or
     * duplicate claims). {@code null} goes back to the computed claims.
     *
     * @param payloadJson the payload text, signed as is
     * @return this builder
     */
    public TokenBuilder rawPayload(String payloadJson) {
        this.rawPayload = payloadJson;
        return this;
    }

    /**
     * Signs the token.
     *
     * @return the compact JWS ({@code header.payload.signature}, base64url)
     * @throws IllegalStateException if the key cannot sign with the algorithm
     */
    public String sign() {
        String input = Base64Url.encode(headerJson().getBytes(StandardCharsets.UTF_8)) + "."
                + Base64Url.encode(unsignedPayloadJson().getBytes(StandardCharsets.UTF_8));
        if ("none".equals(signingAlgorithm)) {
            return input + ".";
        }
        try {
            JsonWebSignatureAlgorithm alg = AlgorithmFactoryFactory.getInstance()
                    .getJwsAlgorithmFactory().getAlgorithm(signingAlgorithm);
            CryptoPrimitive primitive = alg.prepareForSign(signingKey, new ProviderContext());
            byte[] signature = alg.sign(primitive, input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64Url.encode(signature);
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign with " + signingAlgorithm + ": " + e.getMessage(), e);
        }
    }

    /**
     * The payload exactly as {@link #sign()} would sign it (JSON text).
     *
     * @return the payload exactly as {@link #sign()} would sign it (JSON text)
     */
    public String unsignedPayloadJson() {
        if (rawPayload != null) {
            return rawPayload;
        }
        Map<String, Object> ordered = new LinkedHashMap<>();
        if (claims.containsKey("organization_id")) {
            ordered.put("organization_id", claims.get("organization_id"));
        }
        claims.forEach((name, value) -> {
            if (!CLAIMS_LAST.contains(name)) {
                ordered.putIfAbsent(name, value);
            }
        });
        for (String name : CLAIMS_LAST) {
            if (claims.containsKey(name)) {
                ordered.put(name, claims.get(name));
            }
        }
        return Json.write(ordered);
    }

    /**
     * The header exactly as {@link #sign()} would sign it (JSON text).
     *
     * @return the header exactly as {@link #sign()} would sign it (JSON text)
     */
    public String headerJson() {
        if (rawHeader != null) {
            return rawHeader;
        }
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", signingAlgorithm);
        header.put("typ", "at+jwt");
        if (keyKid != null) {
            header.put("kid", keyKid);
        }
        for (Map.Entry<String, Object> e : headerOverrides.entrySet()) {
            if (e.getValue() == REMOVED) {
                header.remove(e.getKey());
            } else {
                header.put(e.getKey(), e.getValue());
            }
        }
        return Json.write(header);
    }

    /**
     * The current value of a claim, as it will be written (epoch seconds for times).
     *
     * @param name the claim name
     * @return the value, or {@code null} if absent or JSON {@code null}
     */
    public Object claimValue(String name) {
        return claims.get(name);
    }

    private TokenBuilder optionalClaim(String name, String value) {
        if (value == null) {
            claims.remove(name);
        } else {
            claims.put(name, value);
        }
        return this;
    }
}
