package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.orgtoken.jws.CompactJws;
import dev.orgtoken.jws.JwsException;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets for token parsing and verification (Jazzer). Without {@code JAZZER_FUZZ} they run
 * as regression tests over the committed inputs in
 * {@code src/test/resources/dev/orgtoken/TokenFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} one target at a time is fuzzed (README, "Fuzzing").
 *
 * <p>Targets: {@code verifyArbitraryToken} (any bytes as the token), {@code verifySignedClaims}
 * (fuzzed header and payload JSON, really signed), {@code verifyStructuredToken} (templates with
 * fuzzed values, signed or not), {@code parseCompactJws} (the parser alone). Properties checked
 * on every input:
 * <ul>
 *   <li>{@link OrganizationTokenVerifier#verify} either returns or throws {@link TokenRejectedException};
 *       nothing else escapes (no runtime exception, no {@link StackOverflowError}), and each call
 *       ends within {@link #CALL_BOUND} even when it has to look up an unknown key;</li>
 *   <li>a token it accepts really was signed by the issuer's key, carries the trusted issuer and
 *       the required audience, and is not expired;</li>
 *   <li>{@link CompactJws#parse} either returns or throws {@link JwsException}, and what it returns
 *       is consistent (the serialization is the input; the payload is a JSON object or a
 *       {@code JwsException}).</li>
 * </ul>
 * The verifier uses a real key set fetched over HTTP from a {@link LogtoTestIssuer} on loopback
 * (Jazzer's network bug detector is told that loopback is expected).
 */
class TokenFuzzTest {
    static final String AUDIENCE = "https://api.example.com/org";
    /** The longest a single verify call may take: the JWKS request timeout is 1 s. */
    static final Duration CALL_BOUND = Duration.ofSeconds(5);

    private static LogtoTestIssuer issuer;
    private static OrganizationTokenVerifier verifier;
    private static final BiPredicate<String, Integer> LOOPBACK =
            (host, port) -> host.equals("127.0.0.1") || host.equals("localhost");
    private static volatile boolean detectorsAbsent;
    private static String kid;

    @BeforeAll
    static void start() {
        issuer = LogtoTestIssuer.start();
        kid = issuer.currentKey().kid();
        verifier = OrganizationTokenVerifier.builder()
                .logtoEndpoint(issuer.endpoint().toString())
                .jwksRequestTimeout(Duration.ofSeconds(1))
                .build();
        assertTrue(verifier.warmUp(), "the issuer's key set could not be fetched");
    }

    @AfterAll
    static void stop() {
        if (verifier != null) {
            verifier.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    /**
     * Tells Jazzer's server-side-request-forgery detector that connections to the loopback issuer
     * are expected. Called on every input: the detector exists only once Jazzer's agent is
     * installed (after {@code @BeforeAll}), and Jazzer resets it when fuzzing starts. Not closed:
     * JWKS fetches run on the HTTP client's threads, possibly after the call that started them.
     */
    private static void allowLoopback() {
        if (detectorsAbsent) {
            return;
        }
        try {
            BugDetectors.allowNetworkConnections(LOOPBACK);
        } catch (IllegalStateException e) {
            detectorsAbsent = true;   // no bug detectors loaded: nothing to configure
        }
    }

    /** Arbitrary bytes, read as ISO-8859-1 (one char per byte), as the bearer token. */
    @FuzzTest(maxDuration = "10s")
    void verifyArbitraryToken(byte[] input) {
        String token = new String(input, StandardCharsets.ISO_8859_1);
        VerifiedToken accepted = verifyWithinBound(token);
        if (accepted != null) {
            throw new AssertionError("accepted a token the fuzzer wrote without the issuer's key: " + token);
        }
    }

    /**
     * A header and a payload written by the fuzzer (the input's text, {@code header\npayload};
     * without a newline the whole input is the payload under the issuer's usual header), signed
     * with the issuer's real key, so every claims check runs and the signature verifies.
     * {@code $ISS}, {@code $KID}, {@code $NOW} and {@code $EXP} are replaced by the issuer, its
     * key id, the time and the time plus an hour, so committed seeds stay valid against an issuer
     * that listens on a new port each run.
     */
    @DictionaryEntries({"$ISS", "$KID", "$NOW", "$EXP", "\"iss\"", "\"sub\"", "\"aud\"", "\"exp\"", "\"iat\"",
            "\"nbf\"", "\"scope\"", "\"organization_id\"", "\"client_id\"", "\"jti\"", "urn:logto:organization:",
            "https://api.example.com/org", "\"alg\"", "\"typ\"", "\"kid\"", "ES384", "at+jwt", "\"crit\"", "\"jku\""})
    @FuzzTest(maxDuration = "10s")
    void verifySignedClaims(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String header = newline < 0 ? "{\"alg\":\"ES384\",\"typ\":\"at+jwt\",\"kid\":\"$KID\"}" : text.substring(0, newline);
        String payload = newline < 0 ? text : text.substring(newline + 1);
        long now = issuer.clock().instant().getEpochSecond();
        header = placeholders(header, now);
        payload = placeholders(payload, now);
        String token = issuer.token().rawHeader(header).rawPayload(payload).sign();
        VerifiedToken accepted = verifyWithinBound(token);
        if (accepted != null) {
            assertEquals(issuer.issuer(), accepted.issuer());
            assertTrue(accepted.audiences().contains(AUDIENCE));
            assertTrue(accepted.expiresAtSecond() + 60 > now);
            assertTrue(!accepted.subject().isEmpty());
            assertEquals(kid, accepted.keyId());
        }
    }

    private static String placeholders(String s, long now) {
        return s.replace("$ISS", issuer.issuer()).replace("$KID", kid).replace("$NOW", Long.toString(now))
                .replace("$EXP", Long.toString(now + 3600));
    }

    /**
     * Tokens with fuzzed header and payload JSON (a template with fuzzed values, or free text),
     * either signed with the issuer's real key (so the claims checks run to the end and the
     * signature verifies) or carrying fuzzed signature bytes.
     */
    @FuzzTest(maxDuration = "10s")
    void verifyStructuredToken(FuzzedDataProvider data) {
        boolean templated = data.consumeBoolean();
        String header;
        String payload;
        if (templated) {
            header = "{\"alg\":" + jsonValue(data, "ES384") + ",\"typ\":" + jsonValue(data, "at+jwt")
                    + ",\"kid\":" + jsonValue(data, kid) + extraMember(data) + "}";
            long now = issuer.clock().instant().getEpochSecond();
            payload = "{\"iss\":" + jsonValue(data, issuer.issuer()) + ",\"sub\":" + jsonValue(data, "user-1")
                    + ",\"aud\":" + jsonValue(data, AUDIENCE) + ",\"exp\":" + numberValue(data, now + 3600)
                    + ",\"iat\":" + numberValue(data, now) + ",\"scope\":" + jsonValue(data, "read:members")
                    + ",\"organization_id\":" + jsonValue(data, "o1") + extraMember(data) + "}";
        } else {
            header = data.consumeString(300);
            payload = data.consumeString(2000);
        }
        boolean signedByIssuer = data.consumeBoolean();
        String token;
        if (signedByIssuer) {
            token = issuer.token().rawHeader(header).rawPayload(payload).sign();
        } else {
            token = b64(header) + "." + b64(payload) + "." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(data.consumeRemainingAsBytes());
        }
        VerifiedToken accepted = verifyWithinBound(token);
        if (accepted != null) {
            assertTrue(signedByIssuer, () -> "accepted a token not signed by the issuer: " + token);
            assertEquals(issuer.issuer(), accepted.issuer());
            assertTrue(accepted.audiences().contains(AUDIENCE));
            assertTrue(accepted.expiresAtSecond() + 60 > issuer.clock().instant().getEpochSecond());
            assertTrue(!accepted.subject().isEmpty());
        }
    }

    /** Arbitrary bytes (ISO-8859-1) through the compact-JWS parser alone. */
    @FuzzTest(maxDuration = "10s")
    void parseCompactJws(byte[] input) {
        String token = new String(input, StandardCharsets.ISO_8859_1);
        CompactJws jws;
        try {
            jws = CompactJws.parse(token, 16 * 1024);
        } catch (JwsException e) {
            assertNotNull(e.getMessage());
            return;
        }
        assertEquals(token, jws.serialization());
        assertNotNull(jws.header());
        jws.algorithm();
        jws.keyId();
        jws.type();
        try {
            Map<String, Object> payload = jws.payloadObject();
            assertNotNull(payload);
        } catch (JwsException e) {
            assertNotNull(e.getMessage());
        }
    }

    /**
     * The finding of {@link #verifySignedClaims} (seed {@code deep-claim-array}): a claim nested
     * 5,500 arrays deep overflowed the stack while the claims were copied, before the signature
     * was checked, so anyone who knew the issuer could throw a {@link StackOverflowError} out of
     * {@code verify}. Now refused as an invalid claim, unsigned or not; 32 levels still pass.
     */
    @Test
    void deeplyNestedClaimsAreRefusedBeforeTheSignatureCheck() throws TokenRejectedException {
        long now = issuer.clock().instant().getEpochSecond();
        String claims = "{\"iss\":\"" + issuer.issuer() + "\",\"sub\":\"u\",\"aud\":\"" + AUDIENCE + "\",\"exp\":"
                + (now + 3600) + ",\"deep\":";
        String deep = claims + "[".repeat(5_500) + "]".repeat(5_500) + "}";
        String unsigned = b64("{\"alg\":\"ES384\",\"typ\":\"at+jwt\",\"kid\":\"" + kid + "\"}") + "." + b64(deep) + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[96]);
        TokenRejectedException e = assertThrows(TokenRejectedException.class,
                () -> verifier.verify(unsigned, Requirements.audience(AUDIENCE)));
        assertEquals(RejectionReason.INVALID_CLAIM, e.reason());
        assertEquals("token claims are nested too deeply", e.getMessage());

        // 31 arrays inside the payload object: 32 levels, the most accepted
        String limit = issuer.token().rawPayload(claims + "[".repeat(31) + "]".repeat(31) + "}").sign();
        assertEquals("u", verifier.verify(limit, Requirements.audience(AUDIENCE)).subject());
        String over = issuer.token().rawPayload(claims + "[".repeat(32) + "]".repeat(32) + "}").sign();
        assertEquals(RejectionReason.INVALID_CLAIM, assertThrows(TokenRejectedException.class,
                () -> verifier.verify(over, Requirements.audience(AUDIENCE))).reason());
    }

    /** Verifies, allowing only {@link TokenRejectedException}, within {@link #CALL_BOUND}. */
    private static VerifiedToken verifyWithinBound(String token) {
        allowLoopback();
        long start = System.nanoTime();
        VerifiedToken result;
        try {
            result = verifier.verify(token, Requirements.audience(AUDIENCE));
        } catch (TokenRejectedException e) {
            assertNotNull(e.reason());
            assertNotNull(e.getMessage());
            result = null;
        }
        long elapsed = System.nanoTime() - start;
        if (elapsed > CALL_BOUND.toNanos()) {
            throw new AssertionError("verify took " + elapsed / 1_000_000 + " ms");
        }
        return result;
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Mostly the expected value; sometimes another string, a number, null, an array or an object. */
    private static String jsonValue(FuzzedDataProvider data, String expected) {
        switch (data.consumeInt(0, 7)) {
            case 0:
                return quote(data.consumeString(40));
            case 1:
                return Long.toString(data.consumeLong());
            case 2:
                return "null";
            case 3:
                return "[" + quote(expected) + "," + quote(data.consumeString(20)) + "]";
            case 4:
                return data.consumeString(40);
            default:
                return quote(expected);
        }
    }

    private static String numberValue(FuzzedDataProvider data, long expected) {
        switch (data.consumeInt(0, 7)) {
            case 0:
                return Long.toString(data.consumeLong());
            case 1:
                return Double.toString(data.consumeDouble());
            case 2:
                return quote(Long.toString(expected));
            case 3:
                return data.consumeString(30);
            default:
                return Long.toString(expected);
        }
    }

    private static String extraMember(FuzzedDataProvider data) {
        return data.consumeBoolean() ? "," + quote(data.consumeString(20)) + ":" + data.consumeString(60) : "";
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
