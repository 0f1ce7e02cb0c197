package dev.orgtoken;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the claims of a signature-checked payload into a {@link VerifiedToken}, refusing wrong
 * types and impossible values. Checks that depend only on the token (types, issuer) live here;
 * checks that depend on the time or the call live in the verifier.
 */
final class TokenClaimsReader {
    /** 9999-12-31T23:59:59Z: a NumericDate beyond this is not a date, it is an attack or a bug. */
    private static final long MAX_SECONDS = 253_402_300_799L;
    /**
     * Deepest nesting of JSON objects and arrays accepted in the payload (the payload itself is
     * level 1). Logto's claims are flat; without a bound, a 16 KB token of nested arrays made the
     * recursive copy below overflow the stack before any signature check (found by
     * {@code TokenFuzzTest#verifySignedClaims}).
     */
    static final int MAX_NESTING = 32;
    /**
     * The claim names Logto puts in every access token, as shared instances: a cached token keeps
     * its claims map, and ten freshly parsed name strings cost about 450 of its 2,100 bytes.
     */
    private static final Map<String, String> CLAIM_NAMES = Map.of("iss", "iss", "sub", "sub", "aud", "aud",
            "exp", "exp", "iat", "iat", "jti", "jti", "scope", "scope", "client_id", "client_id",
            "organization_id", "organization_id", "nbf", "nbf");

    /** Each trusted issuer, exactly, and its tenant. */
    private final Map<String, TrustedTenant> tenantsByIssuer;

    TokenClaimsReader(Map<String, TrustedTenant> tenantsByIssuer) {
        this.tenantsByIssuer = tenantsByIssuer;
    }

    /**
     * The tenant a payload belongs to, by its exact {@code iss}: read before the signature is checked
     * (the payload is not trusted yet), so that only this tenant's keys are ever asked for the token's
     * {@code kid}, and an unknown issuer costs no key lookup and no fetch.
     */
    TrustedTenant tenantOf(Map<String, Object> payload) throws TokenRejectedException {
        Object iss = payload.get("iss");
        if (!(iss instanceof String issuer)) {
            throw invalid("claim 'iss' is missing or not a string");
        }
        TrustedTenant tenant = tenantsByIssuer.get(issuer);
        if (tenant == null) {
            throw new TokenRejectedException(RejectionReason.WRONG_ISSUER, "token issuer is not trusted");
        }
        return tenant;
    }

    VerifiedToken read(Map<String, Object> payload, String keyId, TrustedTenant tenant) throws TokenRejectedException {
        String issuer = (String) payload.get("iss");
        String subject = requiredString(payload, "sub");
        List<String> audiences = audiences(payload.get("aud"));
        Long exp = numericDate(payload, "exp", true, false);
        Long iat = numericDate(payload, "iat", false, true);
        Long nbf = numericDate(payload, "nbf", false, true);
        String clientId = optionalString(payload, "client_id");
        String jti = optionalString(payload, "jti");
        Set<String> scopes = scopes(payload.get("scope"));
        String organizationId = organization(optionalString(payload, "organization_id"), audiences);
        if (payload.containsKey("cnf")) {
            // A sender-constrained token (RFC 9449 DPoP: cnf.jkt; RFC 8705 mTLS: cnf.x5t#S256) is
            // only valid with proof of its key. Accepting it as a plain bearer token would defeat
            // the binding, so it is refused until a proof check exists (outside review, finding 5).
            throw new TokenRejectedException(RejectionReason.SENDER_CONSTRAINED,
                    "token is bound to a key (cnf); only bearer tokens are accepted");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> claims = (Map<String, Object>) freeze(payload, 1);
        // Read once here, so a cached token keeps its roles without reading the claims again.
        Set<String> roles = tenant.rolesClaim() == null ? Set.of() : tenant.rolesClaim().read(claims);
        return new VerifiedToken(tenant.name(), issuer, subject, clientId, organizationId, audiences, scopes, roles,
                exp, iat, nbf, jti, keyId, claims);
    }

    private static String organization(String claimed, List<String> audiences) throws TokenRejectedException {
        if (claimed != null && claimed.isEmpty()) {
            throw invalid("claim 'organization_id' is empty");
        }
        String fromAudience = null;
        for (String aud : audiences) {
            if (aud.startsWith(Requirements.ORGANIZATION_AUDIENCE_PREFIX)) {
                String id = aud.substring(Requirements.ORGANIZATION_AUDIENCE_PREFIX.length());
                if (id.isEmpty() || (fromAudience != null && !fromAudience.equals(id))) {
                    throw invalid("token names conflicting organizations");
                }
                fromAudience = id;
            }
        }
        if (claimed != null && fromAudience != null && !claimed.equals(fromAudience)) {
            throw invalid("token names conflicting organizations");
        }
        return claimed != null ? claimed : fromAudience;
    }

    private static List<String> audiences(Object aud) throws TokenRejectedException {
        if (aud instanceof String s && !s.isEmpty()) {
            return List.of(s);
        }
        if (aud instanceof List<?> list && !list.isEmpty()) {
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof String s) || s.isEmpty()) {
                    throw invalid("claim 'aud' must be a string or an array of strings");
                }
                out.add(s);
            }
            return List.copyOf(out);
        }
        throw invalid("claim 'aud' is missing or not a string or an array of strings");
    }

    private static Set<String> scopes(Object scope) throws TokenRejectedException {
        if (scope == null) {
            return Set.of();
        }
        if (!(scope instanceof String s)) {
            throw invalid("claim 'scope' must be a space-separated string");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String part : s.split(" ")) {
            if (!part.isEmpty()) {
                out.add(part);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    private static String requiredString(Map<String, Object> payload, String name) throws TokenRejectedException {
        if (payload.get(name) instanceof String s && !s.isEmpty()) {
            return s;
        }
        throw invalid("claim '" + name + "' is missing or not a string");
    }

    private static String optionalString(Map<String, Object> payload, String name) throws TokenRejectedException {
        Object value = payload.get(name);
        if (value == null && !payload.containsKey(name)) {
            return null;
        }
        if (value instanceof String s) {
            return s;
        }
        throw invalid("claim '" + name + "' must be a string");
    }

    /**
     * A NumericDate (RFC 7519 section 2) in whole seconds. Fractions round toward the stricter
     * side: {@code exp} down, {@code nbf}/{@code iat} up.
     */
    private static Long numericDate(Map<String, Object> payload, String name, boolean required, boolean roundUp)
            throws TokenRejectedException {
        Object value = payload.get(name);
        if (value == null) {
            if (required || payload.containsKey(name)) {
                throw invalid("claim '" + name + "' is missing or not a number");
            }
            return null;
        }
        if (!(value instanceof Number n) || value instanceof Byte) {
            throw invalid("claim '" + name + "' must be a number");
        }
        double d = n.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d) || Math.abs(d) > MAX_SECONDS) {
            throw invalid("claim '" + name + "' is out of range");
        }
        if (n instanceof Long || n instanceof Integer || n instanceof Short) {
            return n.longValue();
        }
        if (n instanceof BigInteger b) {
            return b.longValueExact();
        }
        if (n instanceof BigDecimal b) {
            d = b.doubleValue();
        }
        return (long) (roundUp ? Math.ceil(d) : Math.floor(d));
    }

    private static TokenRejectedException invalid(String message) {
        return new TokenRejectedException(RejectionReason.INVALID_CLAIM, message);
    }

    /**
     * A deep, unmodifiable copy, so a cached token can be shared without defensive copies.
     * Refuses nesting deeper than {@link #MAX_NESTING}, so the recursion is bounded.
     */
    private static Object freeze(Object value, int depth) throws TokenRejectedException {
        if ((value instanceof Map<?, ?> || value instanceof List<?>) && depth > MAX_NESTING) {
            throw invalid("token claims are nested too deeply");
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String name = String.valueOf(e.getKey());
                copy.put(CLAIM_NAMES.getOrDefault(name, name), freeze(e.getValue(), depth + 1));
            }
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object o : list) {
                copy.add(freeze(o, depth + 1));
            }
            return Collections.unmodifiableList(copy);
        }
        return value;
    }
}
