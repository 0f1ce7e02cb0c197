package dev.orgtoken.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link BearerToken#extract}: RFC 6750 section 2, one token or a clear refusal. */
class BearerTokenTest {
    private static BearerToken.Extraction extract(ContainerRequest request, boolean queryTokens) {
        return BearerToken.extract(request.build(), queryTokens);
    }

    private static String present(ContainerRequest request) {
        return assertInstanceOf(BearerToken.Present.class, extract(request, false)).token();
    }

    private static String malformed(ContainerRequest request, boolean queryTokens) {
        return assertInstanceOf(BearerToken.Malformed.class, extract(request, queryTokens)).description();
    }

    @Test
    void aBearerHeaderGivesItsCredentialsAsSent() {
        assertEquals("abc.def.ghi", present(ContainerRequest.to("/x").authorization("Bearer abc.def.ghi")));
        // The scheme is case-insensitive (RFC 9110 section 11.1); 1*SP before the credentials.
        assertEquals("t", present(ContainerRequest.to("/x").authorization("bEaReR   t")));
        // Characters are not scanned here: the verifier refuses non-b64token ones as a malformed token.
        assertEquals("a b", present(ContainerRequest.to("/x").authorization("Bearer a b")));
    }

    @Test
    void noCredentialsOrAnotherSchemeIsAbsent() {
        assertInstanceOf(BearerToken.Absent.class, extract(ContainerRequest.to("/x"), false));
        assertInstanceOf(BearerToken.Absent.class, extract(ContainerRequest.to("/x").authorization("Basic dTpw"), false));
        assertInstanceOf(BearerToken.Absent.class, extract(ContainerRequest.to("/x").authorization("DPoP xyz"), false));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Bearer          | Bearer credentials are empty",
            "'Bearer   '     | Bearer credentials are malformed",
            "'B@d x'         | Authorization header is malformed",
            "'(x) y'         | Authorization header is malformed"})
    void aBadHeaderIsMalformed(String header, String description) {
        assertEquals(description, malformed(ContainerRequest.to("/x").authorization(header), false));
    }

    @Test
    void twoHeadersOrTwoPlacesAreMalformed() {
        assertEquals("more than one Authorization header",
                malformed(ContainerRequest.to("/x").authorization("Bearer a").authorization("Bearer b"), false));
        assertEquals("credentials in both the Authorization header and the query",
                malformed(ContainerRequest.to("/x").authorization("Bearer a").query("access_token=b"), true));
        assertEquals("more than one access_token parameter",
                malformed(ContainerRequest.to("/x").query("access_token=a&access_token=b"), true));
        assertEquals("more than one access_token parameter",
                malformed(ContainerRequest.to("/x").query("access_token=a&access%5Ftoken=b"), true));
    }

    @Test
    void queryTokensOnlyWhereAllowed() {
        assertEquals("access_token in the query is not accepted; use the Authorization header",
                malformed(ContainerRequest.to("/x").query("access_token=abc"), false));
        assertEquals("abc.d-e_f", assertInstanceOf(BearerToken.Present.class,
                extract(ContainerRequest.to("/x").query("a=1&access_token=abc.d-e_f"), true)).token());
        assertEquals("access_token parameter is malformed",
                malformed(ContainerRequest.to("/x").query("access_token="), true));
        assertEquals("access_token parameter is malformed",
                malformed(ContainerRequest.to("/x").query("access_token=a%20b"), true));
        // Other parameters are no business of ours.
        assertInstanceOf(BearerToken.Absent.class, extract(ContainerRequest.to("/x").query("x_access_token=a"), true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "abc.def", "A-Z_0~9+/", "abc==", "x="})
    void token68Accepts(String value) {
        assertTrue(BearerToken.isToken68(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "=", "a=b", "a b", "a\tb", "\u00e9", "a\"b"})
    void token68Refuses(String value) {
        assertFalse(BearerToken.isToken68(value));
    }
}
