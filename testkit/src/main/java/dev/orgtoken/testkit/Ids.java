package dev.orgtoken.testkit;

import java.security.SecureRandom;

/** Random identifiers shaped like Logto's (nanoid alphabets and lengths). */
final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String URL_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    private static final String LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

    private Ids() {
    }

    /** A {@code jti} like oidc-provider's: 21 URL-safe characters. */
    static String jwtId() {
        return random(URL_ALPHABET, 21);
    }

    /** An entity id like Logto's organization ids: 12 lowercase letters and digits. */
    static String entityId() {
        return random(LOWER_ALNUM, 12);
    }

    /** An application id like Logto's: 21 lowercase letters and digits. */
    static String applicationId() {
        return random(LOWER_ALNUM, 21);
    }

    /** A client secret: 32 lowercase letters and digits. */
    static String secret() {
        return random(LOWER_ALNUM, 32);
    }

    private static String random(String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
