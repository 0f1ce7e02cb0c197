package dev.orgtoken.jakarta.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orgtoken.OrganizationTokenVerifier;
import dev.orgtoken.Requirements;
import dev.orgtoken.VerifiedToken;
import dev.orgtoken.testkit.LogtoTestIssuer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The caller's groups: scopes, plus the roles claim's strings when configured; anything else in the claim is ignored. */
class MechanismGroupsTest {
    private static final String API = "https://api.example.com/org";
    private static LogtoTestIssuer issuer;
    private static OrganizationTokenVerifier verifier;

    @BeforeAll
    static void start() {
        issuer = LogtoTestIssuer.start();
        verifier = OrganizationTokenVerifier.builder().logtoEndpoint(issuer.endpoint().toString()).build();
    }

    @AfterAll
    static void stop() {
        verifier.close();
        issuer.close();
    }

    private static VerifiedToken token(Object roles) throws Exception {
        var builder = issuer.globalApiToken("user-1", API, "read:members", "write:members");
        return verifier.verify(roles == null ? builder.sign() : builder.claim("roles", roles).sign(),
                Requirements.audience(API));
    }

    private static Set<String> groups(String claim, VerifiedToken token) throws Exception {
        return OrganizationTokenAuthenticationMechanism.groups(token, claim);
    }

    @Test
    void scopesAlways() throws Exception {
        assertEquals(Set.of("read:members", "write:members"), groups(null, token(List.of("admin"))));
    }

    @Test
    void rolesClaimAsAListOrASpaceSeparatedString() throws Exception {
        assertEquals(Set.of("read:members", "write:members", "admin", "auditor"),
                groups("roles", token(List.of("admin", "auditor"))));
        assertEquals(Set.of("read:members", "write:members", "admin", "auditor"),
                groups("roles", token(" admin  auditor ")));
    }

    @Test
    void otherShapesAddNothing() throws Exception {
        assertEquals(Set.of("read:members", "write:members"), groups("roles", token(Map.of("admin", true))));
        assertEquals(Set.of("read:members", "write:members", "admin"), groups("roles", token(List.of("admin", 7, " "))));
        assertEquals(Set.of("read:members", "write:members"), groups("roles", token(null)));
    }
}
