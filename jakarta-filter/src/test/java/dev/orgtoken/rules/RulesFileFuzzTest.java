package dev.orgtoken.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target (Jazzer) for the rules-file reader: {@link RuleSet#load(String, java.io.Reader,
 * java.util.function.Function)} on arbitrary text either returns a rule set or throws
 * {@link RulesFileException} with a usable message; no other exception or error escapes (no
 * snakeyaml exception, no {@link StackOverflowError}, no {@link IllegalArgumentException} from a
 * builder). Seeds: {@code src/test/resources/dev/orgtoken/rules/RulesFileFuzzTestInputs/loadRulesFile/}
 * (the bundled example files and mutations of them). Fuzz longer with
 * {@code JAZZER_FUZZ=1 ./mvnw -pl jakarta-filter test -Dtest='RulesFileFuzzTest#loadRulesFile' -Djazzer.max_duration=10m}.
 */
class RulesFileFuzzTest {
    private static final Map<String, String> VARIABLES = Map.of("LOGTO_ENDPOINT", "https://tenant.logto.app",
            "AUDIENCE", "https://api.example.com/org");

    /**
     * The fuzzer's finding (seed {@code truncated-unicode-escape}): SnakeYAML Engine 2.8 throws
     * {@link NumberFormatException} for a double-quoted scalar that ends inside a {@code \}{@code u}
     * escape; it escaped {@code RuleSet.load} until the loader turned it into a rules-file error.
     */
    @Test
    void aTruncatedEscapeIsARulesFileError() {
        RulesFileException e = assertThrows(RulesFileException.class,
                () -> RuleSet.load("rules.yaml", new StringReader("rules: \"/\\u"), VARIABLES::get));
        assertEquals("rules.yaml: invalid YAML: the parser failed (NumberFormatException)", e.getMessage());
    }

    /** The input's bytes as UTF-8 (malformed sequences replaced, as a Reader over a file would). */
    @FuzzTest(maxDuration = "10s")
    void loadRulesFile(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        RuleSet rules;
        try {
            rules = RuleSet.load("fuzz.yaml", new StringReader(text), VARIABLES::get);
        } catch (RulesFileException e) {
            assertTrue(e.line() >= 0 && e.column() >= 0, e::getMessage);
            assertFalse(e.problem().isEmpty(), e::getMessage);
            assertTrue(e.getMessage().startsWith("fuzz.yaml"), e::getMessage);
            return;
        }
        assertTrue(rules.verifierBuilder().isPresent());
        assertNotNull(rules.unmatched());
        for (PathRule rule : rules.rules()) {
            assertNotNull(rule.path());
            // what loaded must be usable: matching its own pattern text never throws
            rules.match("GET", rule.path().toString());
        }
    }
}
