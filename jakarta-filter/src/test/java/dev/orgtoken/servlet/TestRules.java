package dev.orgtoken.servlet;

import dev.orgtoken.rules.RuleSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The suite's rules file, {@code src/test/resources/servlet/rules.yaml}, and names used with it. */
final class TestRules {
    static final String RESOURCE = "servlet/rules.yaml";
    /** The default audience ({@code audience:}). */
    static final String ORG_API = "https://api.example.com/org";
    /** The audience of the {@code POST /api/organizations} rule. */
    static final String GLOBAL_API = "https://api.example.com";

    private TestRules() {}

    /** The rules with {@code ${LOGTO_ENDPOINT}} pointing at {@code endpoint}. */
    static RuleSet load(URI endpoint) {
        try (InputStream in = TestRules.class.getClassLoader().getResourceAsStream(RESOURCE);
                Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return RuleSet.load("rules.yaml", reader, Map.of("LOGTO_ENDPOINT", endpoint.toString())::get);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text() {
        try (InputStream in = TestRules.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
