package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.testkit.LogtoTestIssuer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link VerifiedToken#actor()}: the {@code act.sub} of a token-exchange token, and no actor (never
 * an exception, never a refusal) when {@code act} has another shape. Signed tokens verified over
 * real HTTP.
 */
class ActorClaimTest {
    private static final String API = "https://api.example.com/global";
    private static final Instant NOW = Instant.parse("2026-12-02T01:23:55Z");

    private LogtoTestIssuer issuer;
    private OrganizationTokenVerifier verifier;

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
        verifier = OrganizationTokenVerifier.builder().logtoEndpoint(issuer.endpoint().toString())
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    }

    @AfterEach
    void stop() {
        verifier.close();
        issuer.close();
    }

    private VerifiedToken verify(String jwt) throws TokenRejectedException {
        return verifier.verify(jwt, Requirements.audience(API));
    }

    @Test
    void aTokenExchangeTokenNamesItsActor() throws Exception {
        VerifiedToken token = verify(issuer.globalApiToken("customer-7", API, "org:create").actor("agent-3").sign());
        assertEquals("customer-7", token.subject());
        assertEquals(Optional.of("agent-3"), token.actor());
        assertTrue(token.toString().contains("actor=agent-3"), token.toString());
    }

    @Test
    void anOrdinaryTokenHasNoActor() throws Exception {
        VerifiedToken token = verify(issuer.globalApiToken("customer-7", API).sign());
        assertEquals(Optional.empty(), token.actor());
        assertTrue(!token.toString().contains("actor"), token.toString());
    }

    @Test
    void aChainGivesTheImmediateActor() throws Exception {
        Map<String, Object> chain = Map.of("sub", "agent-3", "act", Map.of("sub", "supervisor-1"));
        assertEquals(Optional.of("agent-3"), verify(issuer.globalApiToken("customer-7", API).claim("act", chain)
                .sign()).actor());
    }

    static Stream<Arguments> illTypedActs() {
        Map<String, Object> nullSub = new HashMap<>();
        nullSub.put("sub", null);
        return Stream.of(
                Arguments.of("a string", "agent-3"),
                Arguments.of("a number", 42),
                Arguments.of("a boolean", true),
                Arguments.of("an array", List.of(Map.of("sub", "agent-3"))),
                Arguments.of("null", null),
                Arguments.of("an empty object", Map.of()),
                Arguments.of("sub a number", Map.of("sub", 42)),
                Arguments.of("sub an object", Map.of("sub", Map.of("sub", "agent-3"))),
                Arguments.of("sub empty", Map.of("sub", "")),
                Arguments.of("sub null", nullSub));
    }

    @ParameterizedTest(name = "act is {0}")
    @MethodSource("illTypedActs")
    void anActOfAnotherShapeIsNoActorAndNoError(String shape, Object act) throws Exception {
        String jwt = issuer.globalApiToken("customer-7", API).claim("act", act).sign();
        VerifiedToken token = verify(jwt);
        assertEquals(Optional.empty(), token.actor(), shape);
        assertEquals("customer-7", token.subject());
        assertEquals(Optional.empty(), verify(jwt).actor(), "from the verified-token cache too");
    }
}
