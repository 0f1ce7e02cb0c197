package dev.orgtoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orgtoken.Requirements.ActorPolicy;
import dev.orgtoken.Requirements.SubjectKind;
import dev.orgtoken.testkit.KeyType;
import dev.orgtoken.testkit.LogtoTestIssuer;
import dev.orgtoken.testkit.SigningKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's requirements in the verifier, each accepted and refused, with signed tokens verified
 * over real HTTP: roles (all of them, from a configured claim), the actor policy, the client
 * allow-list, the subject kind, and opaque tokens; and that a refusal of an authentic token keeps it
 * for audit logs while a refusal of the token itself does not.
 */
class AuthorizationRequirementsTest {
    private static final String API = "https://api.example.com/global";
    private static final Instant NOW = Instant.parse("2026-12-02T01:23:55Z");

    private LogtoTestIssuer issuer;
    private OrganizationTokenVerifier verifier;

    @BeforeEach
    void start() {
        issuer = LogtoTestIssuer.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
        verifier = builder().rolesClaim("roles").build();
    }

    @AfterEach
    void stop() {
        verifier.close();
        issuer.close();
    }

    private OrganizationTokenVerifier.Builder builder() {
        return OrganizationTokenVerifier.builder().logtoEndpoint(issuer.endpoint().toString())
                .clock(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private TokenRejectedException refused(String token, Requirements r) {
        return assertThrows(TokenRejectedException.class, () -> verifier.verify(token, r));
    }

    // ------------------------------------------------------------------ roles

    @Test
    void everyListedRoleIsNeeded() throws Exception {
        String both = issuer.globalApiToken("u1", API).claim("roles", List.of("admin", "billing")).sign();
        String admin = issuer.globalApiToken("u2", API).claim("roles", List.of("admin")).sign();
        Requirements r = Requirements.audience(API).roles("admin", "billing");
        assertEquals(Set.of("admin", "billing"), verifier.verify(both, r).roles());
        TokenRejectedException e = refused(admin, r);
        assertEquals(RejectionReason.MISSING_ROLES, e.reason());
        assertEquals(ErrorCode.INSUFFICIENT_SCOPE, e.errorCode());
        assertEquals("token lacks required roles", e.getMessage());
        assertTrue(e.requiredScopes().isEmpty(), "roles are not announced as scopes");
        assertEquals("u2", e.refusedToken().orElseThrow().subject());
        assertTrue(verifier.verify(admin, Requirements.audience(API).roles("admin")).hasRole("admin"));
    }

    @Test
    void scopesAreNotRoles() throws Exception {
        String scoped = issuer.globalApiToken("u1", API, "admin").sign();
        assertEquals(RejectionReason.MISSING_ROLES, refused(scoped, Requirements.audience(API).roles("admin")).reason());
        assertEquals(Set.of(), verifier.verify(scoped, Requirements.audience(API)).roles());
    }

    @Test
    void aStringIsOneRoleAndADottedPathReadsIntoObjects() throws Exception {
        assertEquals(Set.of("admin billing"), verifier.verify(issuer.globalApiToken("u1", API)
                .claim("roles", "admin billing").sign(), Requirements.audience(API)).roles());
        try (OrganizationTokenVerifier nested = builder().rolesClaim("custom.roles").build()) {
            String token = issuer.globalApiToken("u1", API).claim("custom", Map.of("roles", List.of("a", "b"))).sign();
            assertEquals(Set.of("a", "b"), nested.verify(token, Requirements.audience(API).roles("b", "a")).roles());
            // A claim whose exact name is the whole path wins over the path.
            String flat = issuer.globalApiToken("u1", API).claim("custom.roles", List.of("flat"))
                    .claim("custom", Map.of("roles", List.of("nested"))).sign();
            assertEquals(Set.of("flat"), nested.verify(flat, Requirements.audience(API)).roles());
        }
    }

    @Test
    void aMissingOrIllTypedRolesClaimIsNoRolesNeverAnErrorNeverAPass() throws Exception {
        List<Object> tooMany = new ArrayList<>(Collections.nCopies(RolesClaim.MAX_ROLES + 1, "r"));
        List<Object> illTyped = List.of(42, true, Map.of("admin", true), List.of("admin", 7), List.of("admin", ""),
                List.of(List.of("admin")), "", tooMany);
        for (Object value : illTyped) {
            String token = issuer.globalApiToken("u1", API).claim("roles", value).sign();
            assertEquals(Set.of(), verifier.verify(token, Requirements.audience(API)).roles(), value::toString);
            assertEquals(RejectionReason.MISSING_ROLES,
                    refused(token, Requirements.audience(API).roles("admin")).reason(), value::toString);
        }
        String none = issuer.globalApiToken("u1", API).sign();
        assertEquals(RejectionReason.MISSING_ROLES, refused(none, Requirements.audience(API).roles("r")).reason());
        // Without a roles claim configured, roles are never read.
        try (OrganizationTokenVerifier plain = builder().build()) {
            String admin = issuer.globalApiToken("u1", API).claim("roles", List.of("admin")).sign();
            assertEquals(Set.of(), plain.verify(admin, Requirements.audience(API)).roles());
            assertTrue(plain.rolesClaim(TenantSettings.DEFAULT_TENANT).isEmpty());
        }
        assertEquals("roles", verifier.rolesClaim(TenantSettings.DEFAULT_TENANT).orElseThrow());
    }

    @Test
    void aCachedTokenKeepsItsRoles() throws Exception {
        String admin = issuer.globalApiToken("u1", API).claim("roles", List.of("admin")).sign();
        VerifiedToken first = verifier.verify(admin, Requirements.audience(API).roles("admin"));
        VerifiedToken second = verifier.verify(admin, Requirements.audience(API).roles("admin"));
        assertSame(first, second, "the second call is a cache hit");
        assertEquals(Set.of("admin"), second.roles());
    }

    @Test
    void theRolesClaimIsCheckedWhereItIsSet() {
        for (String bad : new String[] {"", "a..b", ".roles", "roles.", "my roles", "a.b.c.d.e.f.g.h.i"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OrganizationTokenVerifier.builder().rolesClaim(bad), bad);
            assertTrue(e.getMessage().startsWith("rolesClaim"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Requirements.audience(API).roles("has space"));
    }

    // ------------------------------------------------------------------ actor

    @Test
    void theActorPolicy() throws Exception {
        String user = issuer.globalApiToken("customer-7", API).sign();
        String impersonation = issuer.globalApiToken("customer-7", API).actor("agent-3").sign();
        String oddAct = issuer.globalApiToken("customer-7", API).claim("act", "agent-3").sign();
        Requirements allow = Requirements.audience(API);
        Requirements deny = allow.actor(ActorPolicy.DENY);
        Requirements require = allow.actor(ActorPolicy.REQUIRE);
        assertEquals(ActorPolicy.ALLOW, allow.actor(), "allow is the default");

        for (String token : List.of(user, impersonation, oddAct)) {
            verifier.verify(token, allow);
        }
        verifier.verify(user, deny);
        for (String token : List.of(impersonation, oddAct)) {
            // Any act claim, well-formed or not, is refused: fail closed.
            TokenRejectedException e = refused(token, deny);
            assertEquals(RejectionReason.ACTOR_NOT_ALLOWED, e.reason());
            assertEquals(403, e.errorCode().httpStatus());
            assertEquals("token acts for another subject (act); impersonation is not allowed here", e.getMessage());
        }
        assertEquals("agent-3", verifier.verify(impersonation, require).actor().orElseThrow());
        for (String token : List.of(user, oddAct)) {
            // Requiring an actor needs a readable one.
            TokenRejectedException e = refused(token, require);
            assertEquals(RejectionReason.ACTOR_REQUIRED, e.reason());
            assertEquals("token has no actor (act); only delegated tokens are accepted here", e.getMessage());
        }
    }

    @Test
    void aNestedActorChainIsReadableImmediateActorFirst() throws Exception {
        Map<String, Object> chain = Map.of("sub", "agent-3", "act", Map.of("sub", "supervisor-1",
                "act", Map.of("sub", "bot-9")));
        VerifiedToken token = verifier.verify(issuer.globalApiToken("customer-7", API).claim("act", chain).sign(),
                Requirements.audience(API));
        assertEquals(List.of("agent-3", "supervisor-1", "bot-9"), token.actorChain());
        assertEquals("agent-3", token.actor().orElseThrow());
        Map<String, Object> broken = Map.of("sub", "agent-3", "act", Map.of("sub", 7, "act", Map.of("sub", "x")));
        assertEquals(List.of("agent-3"), verifier.verify(issuer.globalApiToken("c", API).claim("act", broken).sign(),
                Requirements.audience(API)).actorChain(), "the chain ends at the first unreadable level");
        assertEquals(List.of(), verifier.verify(issuer.globalApiToken("c", API).sign(), Requirements.audience(API))
                .actorChain());
    }

    // ------------------------------------------------------------------ clients and subject kind

    @Test
    void theClientAllowList() throws Exception {
        String console = issuer.globalApiToken("u1", API).clientId("admin-console").sign();
        String other = issuer.globalApiToken("u1", API).clientId("spa").sign();
        String noClient = issuer.globalApiToken("u1", API).removeClaim("client_id").sign();
        Requirements r = Requirements.audience(API).clients("admin-console", "cli");
        assertEquals("admin-console", verifier.verify(console, r).clientId().orElseThrow());
        for (String token : List.of(other, noClient)) {
            TokenRejectedException e = refused(token, r);
            assertEquals(RejectionReason.CLIENT_NOT_ALLOWED, e.reason());
            assertEquals("token was issued to a client that is not allowed here", e.getMessage());
        }
        assertEquals(Set.of("spa"), Requirements.audience(API).clients("x").clients("spa").clients(), "replaces");
        assertThrows(IllegalArgumentException.class, () -> Requirements.audience(API).clients(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Requirements.audience(API).clients(" "));
    }

    @Test
    void theSubjectKindTellsMachinesFromUsersBySubEqualsClientId() throws Exception {
        String m2m = issuer.m2mToken("m2m-app", API).sign();
        String user = issuer.globalApiToken("u1", API).sign();
        verifier.verify(m2m, Requirements.audience(API).subject(SubjectKind.M2M));
        verifier.verify(user, Requirements.audience(API).subject(SubjectKind.USER));
        verifier.verify(m2m, Requirements.audience(API).subject(SubjectKind.ANY));
        TokenRejectedException e = refused(m2m, Requirements.audience(API).subject(SubjectKind.USER));
        assertEquals(RejectionReason.WRONG_SUBJECT_KIND, e.reason());
        assertEquals("a machine-to-machine token is not accepted here", e.getMessage());
        e = refused(user, Requirements.audience(API).subject(SubjectKind.M2M));
        assertEquals(RejectionReason.WRONG_SUBJECT_KIND, e.reason());
        assertEquals("a user token is not accepted here", e.getMessage());
    }

    // ------------------------------------------------------------------ what a refusal keeps

    @Test
    void onlyAnAuthenticTokenIsKeptOnItsRefusal() {
        String otherAudience = issuer.globalApiToken("u1", "https://other.example.com").sign();
        assertEquals("u1", refused(otherAudience, Requirements.audience(API)).refusedToken().orElseThrow().subject());
        String forged = issuer.globalApiToken("u1", API).signedWith(SigningKey.generate(KeyType.EC_P384))
                .kid(issuer.currentKey().kid()).sign();
        assertTrue(refused(forged, Requirements.audience(API)).refusedToken().isEmpty());
        String expired = issuer.globalApiToken("u1", API).expiresAt(NOW.minusSeconds(3600)).sign();
        assertTrue(refused(expired, Requirements.audience(API)).refusedToken().isEmpty());
    }

    // ------------------------------------------------------------------ opaque tokens

    @Test
    void aLogtoOpaqueTokenIsToldToAskForAJwtWithoutANetworkCall() {
        String opaque = "mG0MsLC2r8Qq9rPyYdP4x3oZt7n1Vb_K-eH5uWjA0sX";   // nanoid(43), as Logto issues without resource=
        assertEquals(43, opaque.length());
        issuer.resetCounters();
        TokenRejectedException e = refused(opaque, Requirements.audience(API));
        assertEquals(RejectionReason.OPAQUE_TOKEN, e.reason());
        assertEquals(401, e.errorCode().httpStatus());
        assertEquals("token is opaque; request a JWT access token for an API resource (resource=...)", e.getMessage());
        assertFalse(e.getMessage().contains(opaque));
        assertEquals(0, issuer.jwksRequests(), "no network call");
        // Other shapes without dots stay malformed tokens.
        for (String other : new String[] {opaque.substring(1), opaque + "A", opaque.substring(1) + "=",
                opaque.substring(1) + "+"}) {
            assertEquals(RejectionReason.MALFORMED_TOKEN, refused(other, Requirements.audience(API)).reason(), other);
        }
        assertEquals(0, issuer.jwksRequests());
    }
}
